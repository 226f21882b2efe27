"""Shared makers for the domain tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from filing.domain.filing import Channel, FiledBy, Filing, Material, Subtype, new_filing

TIANJIN, BEIJING = "120000", "110000"


def file(subtype: Subtype = Subtype.RETIREE_RESETTLED, **changes: Any) -> Filing:
    """A filing as the rules make it: by default a Tianjin person filed to Beijing by a clerk
    at the district window on a commitment letter, on the day it starts (``today``)."""
    values: dict[str, Any] = {
        "filing_id": "f1",
        "psn_no": "P1",
        "insured_region": TIANJIN,
        "subtype": subtype,
        "destination_region": BEIJING,
        "start_date": date(2026, 11, 23),
        "end_date": None,
        "channel": Channel.DISTRICT_WINDOW,
        "filed_by": FiledBy.AGENCY,
        "materials": {Material.COMMITMENT_LETTER},
        "referral_id": None,
        "admission_date": None,
        **changes,
    }
    values.setdefault("today", values["start_date"])
    return new_filing(**{**values, "materials": frozenset(values["materials"])})
