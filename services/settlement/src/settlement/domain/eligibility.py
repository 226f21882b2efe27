"""Whether a person holds a filing valid on a day (D-F1, D-F6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class KnownFiling:
    filing_id: str
    filing_class: str
    subtype: str
    destination_region: str
    start_date: date
    end_date: date | None
    status: str

    def covers(self, day: date) -> bool:
        return (
            self.status == "active"
            and self.start_date <= day
            and (self.end_date is None or day <= self.end_date)
        )


def filings_in_force(filings: list[KnownFiling], day: date) -> list[KnownFiling]:
    return [filing for filing in filings if filing.covers(day)]
