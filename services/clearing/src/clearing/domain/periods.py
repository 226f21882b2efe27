"""Settlement months 'YYYY-MM' (Asia/Shanghai) and where a posting lands (DOMAIN.md, money
between regions: nothing is edited in a closed period)."""

from __future__ import annotations

import re
from collections.abc import Collection

from clearing.domain.errors import InvalidPeriod

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_period(text: str, *, field: str = "period") -> str:
    if not isinstance(text, str) or not _PERIOD.match(text):
        raise InvalidPeriod(f"{text!r} is not a settlement month YYYY-MM.", field=field)
    return text


def next_period(period: str) -> str:
    year, month = (int(part) for part in check_period(period).split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def first_open_period(period: str, closed: Collection[str]) -> str:
    """The period itself if it is open, else the next one that is: where a late posting lands."""
    while period in closed:
        period = next_period(period)
    return period
