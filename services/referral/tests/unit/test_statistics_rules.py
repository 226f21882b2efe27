"""Referral statistics per Tianjin tertiary hospital and month (D-R6, Art. 21), without I/O."""

from datetime import datetime

import pytest

from medins_common.timeutil import SHANGHAI
from referral.domain.errors import InvalidPeriod
from referral.domain.statistics import (
    IssuedRecord,
    RevokedRecord,
    month_bounds,
    monthly_figures,
    months_between,
)

H1, H2, QUIET = "H12010100001", "H12010100002", "H12010100003"


def test_months_between_counts_both_ends_across_a_year_end():
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between("2026-03", "2026-03") == ["2026-03"]


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-3", "2026-03", "from"),
        ("2026-03", "2026-13", "to"),
        ("2026-04", "2026-03", "to"),
        ("2024-01", "2026-01", "to"),
    ],
)
def test_a_bad_or_too_long_period_is_refused_naming_the_field(first, last, field):
    with pytest.raises(InvalidPeriod) as refused:
        months_between(first, last)
    assert refused.value.code == "invalid_period"
    assert refused.value.field == field


def test_twenty_four_months_are_the_most_at_a_time():
    assert len(months_between("2024-01", "2025-12")) == 24


def test_month_bounds_are_midnights_in_shanghai():
    start, end = month_bounds("2025-12", "2026-01")
    assert start == datetime(2025, 12, 1, tzinfo=SHANGHAI)
    assert end == datetime(2026, 2, 1, tzinfo=SHANGHAI)
    assert start.utcoffset().total_seconds() == 8 * 3600


def test_d_r6_issued_and_revoked_are_counted_per_hospital_and_month_with_their_breakdowns():
    issued = [
        IssuedRecord(H1, "2026-01", "110105", "C34.1"),
        IssuedRecord(H1, "2026-01", "110105", "C50.9"),
        IssuedRecord(H1, "2026-01", "310104", "I21.0"),
        IssuedRecord(H1, "2026-02", "130102", "E11.9"),
        IssuedRecord(H2, "2026-02", "110105", "S72.0"),
    ]
    revoked = [RevokedRecord(H1, "2026-02"), RevokedRecord(H2, "2026-02")]

    rows = monthly_figures(
        hospitals=[H1, QUIET], months=["2026-01", "2026-02"], issued=issued, revoked=revoked
    )

    by_key = {(row.institution_code, row.month): row for row in rows}
    assert [(r.institution_code, r.month) for r in rows] == [
        (H1, "2026-01"),
        (H1, "2026-02"),
        (H2, "2026-01"),
        (H2, "2026-02"),
        (QUIET, "2026-01"),
        (QUIET, "2026-02"),
    ]
    january = by_key[(H1, "2026-01")]
    assert (january.issued, january.revoked) == (3, 0)
    assert january.by_target_region == {"110105": 2, "310104": 1}
    assert january.by_icd10_chapter == {"II": 2, "IX": 1}
    february = by_key[(H1, "2026-02")]
    assert (february.issued, february.revoked) == (1, 1)
    assert february.by_icd10_chapter == {"IV": 1}
    assert by_key[(H2, "2026-02")].by_icd10_chapter == {"XIX": 1}
    quiet = by_key[(QUIET, "2026-01")]
    assert (quiet.issued, quiet.revoked, quiet.by_target_region) == (0, 0, {})


def test_d_r6_chapters_are_listed_in_chapter_order():
    issued = [IssuedRecord(H1, "2026-01", "110105", code) for code in ("Z51", "A15.0", "M16")]
    [row] = monthly_figures(hospitals=[], months=["2026-01"], issued=issued, revoked=[])
    assert list(row.by_icd10_chapter) == ["I", "XIII", "XXI"]
