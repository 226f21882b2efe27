"""The verification code printed on a referral: a keyed hash of its id, shortened.

Anyone holding the printout can ask the public verification endpoint whether the code is
genuine; without the key, a code cannot be made up for a referral id.
"""

from __future__ import annotations

import re

from medins_common.sensitive import keyed_hash

LENGTH = 16  # hex characters: 64 bits, too many to guess
_SEPARATORS = re.compile(r"[\s-]")


def verification_code(referral_id: str, *, key: str) -> str:
    return keyed_hash(f"referral:{referral_id}", key=key)[:LENGTH].upper()


def normalize(code: str) -> str:
    """As typed from a printout: separators dropped, upper case."""
    return _SEPARATORS.sub("", code).upper()


def grouped(code: str) -> str:
    """For print and display: 4-character groups, ABCD-EF01-2345-6789."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
