"""Whether a person holds a filing in force on a day (D-F1, D-F6), without I/O."""

from dataclasses import replace
from datetime import date

import pytest

from settlement.domain.eligibility import KnownFiling, filings_in_force

LONG_TERM = KnownFiling(
    filing_id="lt",
    filing_class="long_term",
    subtype="retiree_resettled",
    destination_region="110000",
    start_date=date(2025, 3, 1),
    end_date=None,
)
TEMPORARY = KnownFiling(
    filing_id="tmp",
    filing_class="temporary",
    subtype="referral",
    destination_region="130100",
    start_date=date(2025, 3, 1),
    end_date=date(2026, 2, 28),
)


@pytest.mark.parametrize("day", [date(2025, 3, 1), date(2025, 12, 31), date(2040, 1, 1)])
def test_d_f6_an_open_ended_long_term_filing_covers_every_day_from_its_start(day):
    assert LONG_TERM.covers(day)


def test_d_f1_no_filing_covers_a_day_before_its_start():
    assert not LONG_TERM.covers(date(2025, 2, 28))
    assert not TEMPORARY.covers(date(2025, 2, 28))


@pytest.mark.parametrize(
    ("day", "covered"),
    [
        (date(2025, 3, 1), True),
        (date(2025, 9, 1), True),
        (date(2026, 2, 28), True),
        (date(2026, 3, 1), False),
    ],
)
def test_d_f6_a_filing_with_an_end_covers_up_to_and_including_that_day(day, covered):
    assert TEMPORARY.covers(day) is covered


def test_d_f6_a_cancellation_ends_cover_from_its_day_and_keeps_the_days_before():
    cancelled = replace(LONG_TERM, cancelled_on=date(2025, 9, 1))
    assert cancelled.covers(date(2025, 6, 1))  # a past stay stays settleable
    assert cancelled.covers(date(2025, 8, 31))
    assert not cancelled.covers(date(2025, 9, 1))  # as filing decides: from its day on


def test_a_cancellation_after_the_end_leaves_the_end_and_one_before_the_start_covers_nothing():
    assert replace(TEMPORARY, cancelled_on=date(2027, 1, 1)).last_day == date(2026, 2, 28)
    never = replace(TEMPORARY, cancelled_on=date(2025, 2, 28))
    assert not any(never.covers(date(2025, 3, d)) for d in range(1, 31))


def test_filings_in_force_keeps_those_covering_the_day_in_their_order():
    later = replace(LONG_TERM, filing_id="later", start_date=date(2026, 1, 1))
    cancelled = replace(TEMPORARY, filing_id="cancelled", cancelled_on=date(2025, 4, 30))
    filings = [LONG_TERM, TEMPORARY, later, cancelled]

    assert filings_in_force(filings, date(2025, 4, 1)) == [LONG_TERM, TEMPORARY, cancelled]
    assert filings_in_force(filings, date(2025, 6, 1)) == [LONG_TERM, TEMPORARY]
    assert filings_in_force(filings, date(2026, 2, 1)) == [LONG_TERM, TEMPORARY, later]
    assert filings_in_force(filings, date(2026, 3, 1)) == [LONG_TERM, later]
    assert filings_in_force(filings, date(2025, 2, 1)) == []


def test_filings_in_force_of_nobody_is_empty():
    assert filings_in_force([], date(2025, 6, 1)) == []
