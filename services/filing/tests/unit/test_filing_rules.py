"""Filing classes, destination and validity (D-P1–P3, D-F4, D-F6), as plain Python."""

from datetime import date

import pytest

from filing.domain.errors import InvalidDestination, InvalidValidity
from filing.domain.filing import (
    Filing,
    FilingClass,
    Subtype,
    longest_temporary_end,
    validity_end,
)
from filing.domain.regions import check_destination

from .conftest import file

TIANJIN, BEIJING, HEBEI_SHIJIAZHUANG = "120000", "110000", "130100"


def a_filing(
    subtype: Subtype,
    *,
    start: date,
    end: date | None = None,
    destination: str = BEIJING,
    insured: str = TIANJIN,
) -> Filing:
    return file(
        subtype,
        start_date=start,
        end_date=end,
        destination_region=destination,
        insured_region=insured,
    )


# --- D-P1–P3: two classes, six subtypes --------------------------------------------------


@pytest.mark.parametrize(
    "subtype", [Subtype.RETIREE_RESETTLED, Subtype.LONG_TERM_RESIDENT, Subtype.STATIONED_WORKER]
)
def test_d_p2_resettled_retirees_long_term_residents_and_stationed_workers_are_long_term(subtype):
    assert subtype.filing_class is FilingClass.LONG_TERM


@pytest.mark.parametrize("subtype", [Subtype.REFERRAL, Subtype.EMERGENCY, Subtype.OTHER_TEMPORARY])
def test_d_p3_referral_emergency_and_other_temporary_are_temporary(subtype):
    assert subtype.filing_class is FilingClass.TEMPORARY


def test_d_p1_every_subtype_belongs_to_exactly_one_of_the_two_classes():
    classes = {subtype: subtype.filing_class for subtype in Subtype}
    assert len(classes) == 6
    assert set(classes.values()) == {FilingClass.LONG_TERM, FilingClass.TEMPORARY}
    assert sum(c is FilingClass.LONG_TERM for c in classes.values()) == 3


def test_a_filing_takes_its_class_from_its_subtype():
    assert a_filing(Subtype.STATIONED_WORKER, start=date(2025, 1, 1)).filing_class == "long_term"
    assert a_filing(Subtype.REFERRAL, start=date(2025, 1, 1)).filing_class == "temporary"


# --- D-F4: the destination differs from the insured place --------------------------------


def test_d_f4_a_destination_equal_to_the_insured_place_is_refused():
    with pytest.raises(InvalidDestination) as refused:
        check_destination(insured_region=TIANJIN, destination=TIANJIN)
    assert refused.value.code == "invalid_destination"
    assert refused.value.field == "destination_region"
    assert refused.value.status == 422


def test_d_f4_a_filing_to_the_insured_place_cannot_be_built():
    with pytest.raises(InvalidDestination):
        a_filing(Subtype.LONG_TERM_RESIDENT, start=date(2025, 1, 1), destination=TIANJIN)


@pytest.mark.parametrize("destination", [BEIJING, HEBEI_SHIJIAZHUANG, "460000", "540000"])
def test_d_f4_another_region_is_a_valid_destination(destination):
    check_destination(insured_region=TIANJIN, destination=destination)
    filing = a_filing(Subtype.RETIREE_RESETTLED, start=date(2025, 1, 1), destination=destination)
    assert filing.destination_region == destination


def test_d_f4_inbound_people_file_away_from_their_own_insured_place():
    # A Beijing-insured person treated in Tianjin: the rule is relative to the insured place.
    filing = a_filing(
        Subtype.REFERRAL, start=date(2025, 1, 1), insured=BEIJING, destination=TIANJIN
    )
    assert filing.destination_region == TIANJIN
    with pytest.raises(InvalidDestination):
        a_filing(Subtype.REFERRAL, start=date(2025, 1, 1), insured=BEIJING, destination=BEIJING)


# --- D-F6: validity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subtype", [Subtype.RETIREE_RESETTLED, Subtype.LONG_TERM_RESIDENT, Subtype.STATIONED_WORKER]
)
def test_d_f6_a_long_term_filing_without_an_end_is_open_ended(subtype):
    filing = a_filing(subtype, start=date(2025, 3, 1))
    assert filing.end_date is None
    assert filing.covers(date(2025, 3, 1))
    assert filing.covers(date(2045, 12, 31))
    assert not filing.covers(date(2025, 2, 28))


def test_d_f6_a_long_term_filing_keeps_the_end_the_person_sets_even_years_ahead():
    end = date(2030, 6, 30)
    filing = a_filing(Subtype.LONG_TERM_RESIDENT, start=date(2025, 3, 1), end=end)
    assert filing.end_date == end
    assert filing.covers(end)
    assert not filing.covers(date(2030, 7, 1))


@pytest.mark.parametrize(
    ("start", "longest"),
    [
        (date(2025, 3, 1), date(2026, 2, 28)),
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2023, 3, 1), date(2024, 2, 29)),  # the year it ends in is a leap year
        (date(2025, 7, 15), date(2026, 7, 14)),
        (date(2025, 12, 31), date(2026, 12, 30)),
    ],
)
@pytest.mark.parametrize("subtype", [Subtype.REFERRAL, Subtype.EMERGENCY, Subtype.OTHER_TEMPORARY])
def test_d_f6_a_temporary_filing_without_an_end_lasts_12_months_less_a_day(subtype, start, longest):
    filing = a_filing(subtype, start=start)
    assert filing.end_date == longest
    assert filing.covers(longest)
    assert not filing.covers(date.fromordinal(longest.toordinal() + 1))


def test_d_f6_a_temporary_filing_may_end_on_its_last_possible_day():
    filing = a_filing(Subtype.REFERRAL, start=date(2025, 3, 1), end=date(2026, 2, 28))
    assert filing.end_date == date(2026, 2, 28)


def test_d_f6_a_temporary_filing_may_be_shorter_than_12_months():
    filing = a_filing(Subtype.OTHER_TEMPORARY, start=date(2025, 3, 1), end=date(2025, 3, 20))
    assert filing.end_date == date(2025, 3, 20)
    assert not filing.covers(date(2025, 3, 21))


@pytest.mark.parametrize("end", [date(2026, 3, 1), date(2026, 3, 2), date(2027, 1, 1)])
def test_d_f6_a_temporary_filing_beyond_12_months_is_refused(end):
    with pytest.raises(InvalidValidity) as refused:
        a_filing(Subtype.REFERRAL, start=date(2025, 3, 1), end=end)
    assert refused.value.code == "invalid_validity"
    assert refused.value.field == "end_date"
    assert "2026-02-28" in refused.value.detail


@pytest.mark.parametrize("subtype", list(Subtype))
def test_d_f6_an_end_before_the_start_is_refused(subtype):
    with pytest.raises(InvalidValidity) as refused:
        validity_end(subtype, start=date(2025, 3, 2), end=date(2025, 3, 1))
    assert refused.value.field == "end_date"


@pytest.mark.parametrize("subtype", list(Subtype))
def test_d_f6_a_filing_of_one_day_is_allowed(subtype):
    day = date(2025, 3, 2)
    assert validity_end(subtype, start=day, end=day) == day


def test_a_filing_cancelled_before_it_starts_covers_nothing():
    filing = a_filing(Subtype.LONG_TERM_RESIDENT, start=date(2025, 1, 1))
    cancelled = filing.cancelled(today=date(2025, 1, 1))
    assert not cancelled.covers(date(2025, 1, 1))
    assert not cancelled.covers(date(2025, 6, 1))


# --- D-F6: the longest temporary validity ---------------------------------------------


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        (date(2025, 1, 15), date(2026, 1, 14)),
        (date(2024, 2, 28), date(2025, 2, 27)),
        # A 29 February start: the anniversary does not exist, so it falls on 1 March and
        # the filing ends the day before, 28 February (documented decision).
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2024, 3, 1), date(2025, 2, 28)),
        (date(2027, 3, 1), date(2028, 2, 29)),  # ends in a leap February
        (date(2025, 12, 31), date(2026, 12, 30)),
        (date(2099, 3, 1), date(2100, 2, 28)),  # 2100 is not a leap year
    ],
)
def test_d_f6_a_temporary_filing_lasts_until_the_day_before_its_anniversary(start, last_day):
    assert longest_temporary_end(start) == last_day


def test_d_f6_a_29_february_temporary_filing_covers_28_february_but_not_1_march():
    filing = a_filing(Subtype.OTHER_TEMPORARY, start=date(2024, 2, 29))
    assert filing.end_date == date(2025, 2, 28)
    assert filing.covers(date(2025, 2, 28))
    assert not filing.covers(date(2025, 3, 1))
