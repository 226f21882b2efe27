"""Whether a person holds a filing valid on a day (D-F1, D-F6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_SCOPE = frozenset({"inpatient", "general_outpatient"})  # D-F5


ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class KnownFiling:
    filing_id: str
    filing_class: str
    subtype: str
    destination_region: str
    start_date: date
    end_date: date | None
    cancelled_on: date | None = None
    scope: frozenset[str] = DEFAULT_SCOPE

    @property
    def last_day(self) -> date | None:
        """As filing decides it: a cancellation ends cover from its day on, and the days
        before stay covered, so a stay that ended before it can still be settled."""
        before_cancel = None if self.cancelled_on is None else self.cancelled_on - ONE_DAY
        ends = [day for day in (self.end_date, before_cancel) if day is not None]
        return min(ends, default=None)

    def covers(self, day: date) -> bool:
        last_day = self.last_day
        return self.start_date <= day and (last_day is None or day <= last_day)


def filings_in_force(filings: list[KnownFiling], day: date) -> list[KnownFiling]:
    return [filing for filing in filings if filing.covers(day)]
