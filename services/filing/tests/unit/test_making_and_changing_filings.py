"""Making, changing and cancelling a filing (D-F2, D-F3, D-F6, D-F7, Art. 13), as plain Python."""

from datetime import date, timedelta

import pytest

from filing.domain.errors import (
    ChannelNotAllowed,
    FilingCancelled,
    FilingOverlaps,
    InvalidDestination,
    InvalidValidity,
    LateFilingRefused,
    MaterialsMissing,
    ReferralRefused,
)
from filing.domain.filing import (
    LATE_FILING_MAX_DAYS,
    MAX_DAYS_AHEAD,
    Channel,
    FiledBy,
    Filing,
    FilingStatus,
    Material,
    Subtype,
    check_channel,
    check_materials,
    check_no_overlap,
    check_start,
)
from medins_common.errors import Conflict

from .conftest import file

TIANJIN, BEIJING, SHANGHAI = "120000", "110000", "310000"
TODAY = date(2026, 11, 23)
M = Material


def make(subtype: Subtype = Subtype.RETIREE_RESETTLED, **changes) -> Filing:
    """A filing made today (it may start later, or earlier as a late filing)."""
    return file(subtype, **{"start_date": TODAY, "today": TODAY, **changes})


# --- D-F2: materials by subtype, or a personal commitment letter ---------------------------


@pytest.mark.parametrize(
    ("subtype", "materials"),
    [
        (
            Subtype.RETIREE_RESETTLED,
            {M.HOUSEHOLD_REGISTER_FRONT_PAGE, M.RESIDENT_REGISTRATION_CARD},
        ),
        (Subtype.LONG_TERM_RESIDENT, {M.RESIDENCE_PROOF}),
        (Subtype.STATIONED_WORKER, {M.DISPATCH_LETTER}),
        (Subtype.STATIONED_WORKER, {M.DESTINATION_EMPLOYER_CERTIFICATE}),
        (Subtype.STATIONED_WORKER, {M.WORK_CONTRACT}),
        (Subtype.REFERRAL, {M.REFERRAL_CERTIFICATE}),
    ],
)
def test_d_f2_the_subtypes_materials_suffice(subtype, materials):
    check_materials(subtype, frozenset(materials), referral_id=None)


@pytest.mark.parametrize("subtype", list(Subtype))
def test_d_f2_a_personal_commitment_letter_replaces_any_materials(subtype):
    check_materials(subtype, frozenset({M.COMMITMENT_LETTER}), referral_id=None)


@pytest.mark.parametrize(
    ("subtype", "materials"),
    [
        (Subtype.RETIREE_RESETTLED, {M.HOUSEHOLD_REGISTER_FRONT_PAGE}),  # both are needed
        (Subtype.RETIREE_RESETTLED, {M.RESIDENCE_PROOF}),
        (Subtype.LONG_TERM_RESIDENT, set()),
        (Subtype.STATIONED_WORKER, {M.RESIDENCE_PROOF}),
        (Subtype.REFERRAL, {M.WORK_CONTRACT}),
        (Subtype.OTHER_TEMPORARY, {M.RESIDENCE_PROOF}),  # commitment letter only
        (Subtype.EMERGENCY, set()),
    ],
)
def test_d_f2_without_the_materials_or_a_commitment_letter_a_filing_is_refused(subtype, materials):
    with pytest.raises(MaterialsMissing) as refused:
        check_materials(subtype, frozenset(materials), referral_id=None)
    assert refused.value.code == "materials_missing"
    assert refused.value.field == "materials"
    assert "commitment letter" in refused.value.detail


def test_d_f2_a_cited_referral_stands_for_the_referral_certificate():
    check_materials(Subtype.REFERRAL, frozenset(), referral_id="R1")


def test_d_f2_only_a_referral_filing_cites_a_referral():
    with pytest.raises(ReferralRefused) as refused:
        make(Subtype.OTHER_TEMPORARY, referral_id="R1")
    assert refused.value.code == "referral_not_applicable"
    assert refused.value.field == "referral_id"


# --- D-F3: channels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "channel",
    [
        Channel.NATIONAL_APP,
        Channel.JIN_YIBAO_APP,
        Channel.NATIONAL_MINI_PROGRAM,
        Channel.STATE_COUNCIL_MINI_PROGRAM,
        Channel.SELF_SERVICE_TERMINAL,
    ],
)
def test_d_f3_a_person_files_on_apps_mini_programs_and_terminals(channel):
    check_channel(channel, filed_by=FiledBy.PERSON)
    with pytest.raises(ChannelNotAllowed):
        check_channel(channel, filed_by=FiledBy.AGENCY)


@pytest.mark.parametrize("channel", [Channel.DISTRICT_WINDOW, Channel.COMMUNITY_SERVICE_POINT])
def test_d_f3_staff_file_at_district_windows_and_community_service_points(channel):
    check_channel(channel, filed_by=FiledBy.AGENCY)
    with pytest.raises(ChannelNotAllowed) as refused:
        check_channel(channel, filed_by=FiledBy.PERSON)
    assert refused.value.field == "channel"


def test_d_f3_every_channel_belongs_to_someone():
    usable = [
        channel
        for channel in Channel
        for by in FiledBy
        if not _refused(lambda c=channel, b=by: check_channel(c, filed_by=b))
    ]
    assert set(usable) == set(Channel)


def _refused(call) -> bool:
    try:
        call()
    except ChannelNotAllowed:
        return True
    return False


# --- D-F7: late filing ---------------------------------------------------------------------


def test_d_f7_a_filing_starts_today_or_later_without_an_admission():
    check_start(TODAY, today=TODAY, admission_date=None)
    check_start(TODAY + timedelta(days=30), today=TODAY, admission_date=None)


def test_a_filing_starts_at_most_a_year_ahead():
    check_start(TODAY + timedelta(days=MAX_DAYS_AHEAD), today=TODAY, admission_date=None)
    with pytest.raises(LateFilingRefused) as refused:
        check_start(TODAY + timedelta(days=MAX_DAYS_AHEAD + 1), today=TODAY, admission_date=None)
    assert refused.value.code == "start_too_far_ahead"
    assert refused.value.field == "start_date"


def test_d_f7_a_start_in_the_past_without_an_admission_is_refused():
    with pytest.raises(LateFilingRefused) as refused:
        check_start(TODAY - timedelta(days=1), today=TODAY, admission_date=None)
    assert refused.value.code == "late_filing_needs_admission"
    assert refused.value.field == "start_date"


def test_d_f7_a_late_filing_reaches_back_to_the_admission_of_the_stay():
    admission = TODAY - timedelta(days=12)
    filing = make(Subtype.OTHER_TEMPORARY, start_date=admission, admission_date=admission)
    assert filing.start_date == admission
    assert filing.admission_date == admission
    assert filing.covers(admission)


def test_d_f7_a_late_filing_never_starts_before_the_admission():
    admission = TODAY - timedelta(days=12)
    with pytest.raises(LateFilingRefused) as refused:
        check_start(admission - timedelta(days=1), today=TODAY, admission_date=admission)
    assert refused.value.code == "start_before_admission"
    assert refused.value.field == "start_date"


def test_d_f7_a_late_filing_reaches_back_at_most_180_days():
    oldest = TODAY - timedelta(days=LATE_FILING_MAX_DAYS)
    check_start(oldest, today=TODAY, admission_date=oldest)
    too_old = oldest - timedelta(days=1)
    with pytest.raises(LateFilingRefused) as refused:
        check_start(too_old, today=TODAY, admission_date=too_old)
    assert refused.value.code == "late_filing_window_passed"
    assert refused.value.field == "admission_date"
    assert "manual reimbursement" in refused.value.detail  # D-F8 for older stays


def test_d_f7_an_admission_in_the_future_is_refused():
    with pytest.raises(LateFilingRefused) as refused:
        check_start(TODAY, today=TODAY, admission_date=TODAY + timedelta(days=1))
    assert refused.value.code == "admission_in_future"


def test_an_end_date_in_the_past_is_refused():
    with pytest.raises(InvalidValidity) as refused:
        make(
            start_date=TODAY - timedelta(days=5),
            admission_date=TODAY - timedelta(days=5),
            end_date=TODAY - timedelta(days=1),
        )
    assert refused.value.code == "end_in_past"


# --- Art. 13: change and cancel ------------------------------------------------------------


def test_art_13_a_long_term_filer_sets_an_end_date_and_the_version_moves_on():
    filing = make()
    changed, fields = filing.changed(today=TODAY, end_date=date(2027, 6, 30))
    assert changed.end_date == date(2027, 6, 30)
    assert fields == ["end_date"]
    assert changed.version == filing.version + 1


def test_art_13_a_long_term_filing_is_made_open_ended_again():
    filing = make(end_date=date(2027, 6, 30))
    changed, fields = filing.changed(today=TODAY, clear_end=True)
    assert changed.end_date is None
    assert fields == ["end_date"]


def test_a_change_to_the_same_values_changes_nothing():
    filing = make()
    same, fields = filing.changed(today=TODAY, destination_region=BEIJING, start_date=TODAY)
    assert fields == []
    assert same is filing


def test_d_f4_a_changed_destination_follows_the_destination_rule():
    filing = make()
    changed, fields = filing.changed(today=TODAY, destination_region=SHANGHAI)
    assert (changed.destination_region, fields) == (SHANGHAI, ["destination_region"])
    with pytest.raises(InvalidDestination):
        filing.changed(today=TODAY, destination_region=TIANJIN)


def test_d_f6_a_temporary_filing_cannot_be_stretched_beyond_12_months():
    filing = make(Subtype.OTHER_TEMPORARY)
    with pytest.raises(InvalidValidity):
        filing.changed(today=TODAY, end_date=date(2027, 11, 23))


def test_d_f6_a_temporary_filing_whose_end_is_cleared_gets_its_longest_validity():
    filing = make(Subtype.OTHER_TEMPORARY, end_date=date(2026, 12, 31))
    changed, _ = filing.changed(today=TODAY, clear_end=True)
    assert changed.end_date == date(2027, 11, 22)


def test_d_f7_moving_the_start_into_the_past_is_a_late_filing():
    filing = make(start_date=TODAY + timedelta(days=3))
    with pytest.raises(LateFilingRefused):
        filing.changed(today=TODAY, start_date=TODAY - timedelta(days=2))
    admitted = TODAY - timedelta(days=2)
    changed, fields = filing.changed(today=TODAY, start_date=admitted, admission_date=admitted)
    assert (changed.start_date, changed.admission_date, fields) == (
        admitted,
        admitted,
        ["start_date"],
    )


def test_art_13_a_cancellation_ends_cover_from_today_and_keeps_the_days_before():
    filing = make(start_date=TODAY - timedelta(days=10), admission_date=TODAY - timedelta(days=10))
    cancelled = filing.cancelled(today=TODAY)
    assert cancelled.status is FilingStatus.CANCELLED
    assert cancelled.cancelled_on == TODAY
    assert cancelled.covers(TODAY - timedelta(days=1))
    assert not cancelled.covers(TODAY)
    assert not cancelled.covers(TODAY + timedelta(days=100))


def test_a_cancelled_filing_is_neither_changed_nor_cancelled_again():
    cancelled = make().cancelled(today=TODAY)
    with pytest.raises(FilingCancelled) as refused:
        cancelled.changed(today=TODAY, end_date=date(2027, 1, 1))
    assert refused.value.status == 409
    with pytest.raises(FilingCancelled):
        cancelled.cancelled(today=TODAY)


def test_a_filing_that_already_ended_is_not_cancelled():
    ended = make(end_date=TODAY)
    with pytest.raises(Conflict) as refused:
        ended.cancelled(today=TODAY + timedelta(days=1))
    assert refused.value.code == "filing_ended"


# --- one long-term filing at a time, no duplicate to the same place ----------------------------


def test_a_second_long_term_filing_for_the_same_days_is_refused_even_elsewhere():
    first = make()
    second = make(Subtype.STATIONED_WORKER, destination_region=SHANGHAI, filing_id="f2")
    with pytest.raises(FilingOverlaps) as refused:
        check_no_overlap(second, [first])
    assert refused.value.status == 409
    assert refused.value.extra == {"filing_id": "f1"}


def test_a_duplicate_temporary_filing_to_the_same_place_is_refused():
    first = make(Subtype.OTHER_TEMPORARY)
    with pytest.raises(FilingOverlaps):
        check_no_overlap(make(Subtype.OTHER_TEMPORARY, filing_id="f2"), [first])


def test_a_long_term_filer_may_hold_a_temporary_filing_to_another_place():
    long_term = make()
    referral = make(Subtype.REFERRAL, destination_region=SHANGHAI, filing_id="f2")
    check_no_overlap(referral, [long_term])


def test_filings_that_follow_each_other_do_not_overlap():
    first = make(end_date=TODAY + timedelta(days=30))
    second = make(start_date=TODAY + timedelta(days=31), filing_id="f2")
    check_no_overlap(second, [first])


def test_a_cancelled_filing_frees_its_days_from_the_cancellation_on():
    first = make().cancelled(today=TODAY)
    check_no_overlap(make(filing_id="f2"), [first])


def test_a_filing_is_not_compared_with_itself():
    filing = make()
    check_no_overlap(filing, [filing])
