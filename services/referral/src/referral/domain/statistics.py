"""Referral statistics for the agency's agreement assessment (D-R6, Art. 21).

Per Tianjin tertiary hospital and month (Asia/Shanghai): referrals issued that month, issued
referrals revoked that month, and the month's issued referrals by target region and by
ICD-10 chapter of the diagnosis.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from medins_common.timeutil import SHANGHAI
from referral.domain.diagnosis import CHAPTER_NAMES, chapter_of
from referral.domain.errors import InvalidPeriod

MAX_MONTHS = 24
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class IssuedRecord:
    institution_code: str
    month: str
    target_region: str
    diagnosis_code: str


@dataclass(frozen=True)
class RevokedRecord:
    institution_code: str
    month: str


@dataclass
class MonthlyFigures:
    institution_code: str
    month: str
    issued: int = 0
    revoked: int = 0
    by_target_region: dict[str, int] = field(default_factory=dict)
    by_icd10_chapter: dict[str, int] = field(default_factory=dict)


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM), both included; 24 at the most."""
    for name, value in (("from", first), ("to", last)):
        if not _MONTH.match(value):
            raise InvalidPeriod(f"{name} must be a month YYYY-MM, not {value!r}.", field=name)
    start, end = _index(first), _index(last)
    if end < start:
        raise InvalidPeriod("to is before from.", field="to")
    if end - start >= MAX_MONTHS:
        raise InvalidPeriod(f"At most {MAX_MONTHS} months at a time.", field="to")
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(start, end + 1)]


def month_bounds(first: str, last: str) -> tuple[datetime, datetime]:
    """The moments the months span in Asia/Shanghai: from the first's start to the next's."""
    after = _index(last) + 1
    return (
        datetime(int(first[:4]), int(first[5:]), 1, tzinfo=SHANGHAI),
        datetime(after // 12, after % 12 + 1, 1, tzinfo=SHANGHAI),
    )


def monthly_figures(
    *,
    hospitals: Iterable[str],
    months: list[str],
    issued: Iterable[IssuedRecord],
    revoked: Iterable[RevokedRecord],
) -> list[MonthlyFigures]:
    """One row per hospital and month, zeros included, so a quiet hospital shows as quiet."""
    issued, revoked = list(issued), list(revoked)
    codes = sorted(
        {*hospitals, *(r.institution_code for r in issued), *(r.institution_code for r in revoked)}
    )
    figures = {(code, month): MonthlyFigures(code, month) for code in codes for month in months}
    regions: dict[tuple[str, str], Counter[str]] = {key: Counter() for key in figures}
    chapters: dict[tuple[str, str], Counter[str | None]] = {key: Counter() for key in figures}
    for record in issued:
        key = (record.institution_code, record.month)
        figures[key].issued += 1
        regions[key][record.target_region] += 1
        chapters[key][chapter_of(record.diagnosis_code)] += 1
    for record in revoked:
        figures[(record.institution_code, record.month)].revoked += 1
    for key, row in figures.items():
        row.by_target_region = dict(sorted(regions[key].items()))
        row.by_icd10_chapter = {
            name: chapters[key][name] for name in CHAPTER_NAMES if chapters[key][name]
        }
    return [figures[key] for key in sorted(figures)]


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:]) - 1
