"""Cross-region filings 备案 (D-P1–P3, D-F4, D-F6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from filing.domain.errors import InvalidDestination, InvalidValidity

TEMPORARY_MAX_MONTHS = 12
_ONE_DAY = timedelta(days=1)


class FilingClass(StrEnum):
    LONG_TERM = "long_term"  # 异地长期居住人员 (Art. 5-6)
    TEMPORARY = "temporary"  # 临时外出就医人员 (Art. 5, 7)


class Subtype(StrEnum):
    RETIREE_RESETTLED = "retiree_resettled"
    LONG_TERM_RESIDENT = "long_term_resident"
    STATIONED_WORKER = "stationed_worker"
    REFERRAL = "referral"
    EMERGENCY = "emergency"
    OTHER_TEMPORARY = "other_temporary"

    @property
    def filing_class(self) -> FilingClass:
        return FilingClass.LONG_TERM if self in _LONG_TERM else FilingClass.TEMPORARY


_LONG_TERM = {Subtype.RETIREE_RESETTLED, Subtype.LONG_TERM_RESIDENT, Subtype.STATIONED_WORKER}


class Channel(StrEnum):
    """D-F3: where the filing was made."""

    NATIONAL_APP = "national_app"
    JIN_YIBAO_APP = "jin_yibao_app"
    NATIONAL_MINI_PROGRAM = "national_mini_program"
    STATE_COUNCIL_MINI_PROGRAM = "state_council_mini_program"
    DISTRICT_WINDOW = "district_window"
    COMMUNITY_SERVICE_POINT = "community_service_point"
    SELF_SERVICE_TERMINAL = "self_service_terminal"


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last_day))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass
class Filing:
    filing_id: str
    psn_no: str
    insured_region: str
    subtype: Subtype
    destination_region: str
    start_date: date
    end_date: date | None
    channel: Channel
    status: str = "active"

    @property
    def filing_class(self) -> FilingClass:
        return self.subtype.filing_class

    def __post_init__(self) -> None:
        check_destination(insured_region=self.insured_region, destination=self.destination_region)
        self.end_date = validity_end(self.subtype, start=self.start_date, end=self.end_date)

    def covers(self, day: date) -> bool:
        return (
            self.status == "active"
            and self.start_date <= day
            and (self.end_date is None or day <= self.end_date)
        )


def check_destination(*, insured_region: str, destination: str) -> None:
    """D-F4: a filing points away from the insured place."""
    if destination == insured_region:
        raise InvalidDestination(
            "The destination must differ from the insured place (D-F4).", field="destination_region"
        )


def validity_end(subtype: Subtype, *, start: date, end: date | None) -> date | None:
    """D-F6: long-term filings run until the person ends them; temporary ones 12 months at most.

    A temporary filing without an end date gets the longest validity, 12 months less a day.
    """
    if end is not None and end < start:
        raise InvalidValidity("The end date is before the start date.", field="end_date")
    if subtype.filing_class is FilingClass.LONG_TERM:
        return end
    longest = add_months(start, TEMPORARY_MAX_MONTHS) - _ONE_DAY
    if end is None:
        return longest
    if end > longest:
        raise InvalidValidity(
            f"A temporary filing lasts at most {TEMPORARY_MAX_MONTHS} months (D-F6): "
            f"the latest end for this start is {longest.isoformat()}.",
            field="end_date",
        )
    return end
