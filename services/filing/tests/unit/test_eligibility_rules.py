"""The eligibility answer (D-F1, D-F5, D-F9, D-F10, Art. 7/26), as plain Python."""

from datetime import date

import pytest

from filing.domain.chronic import ChronicDisease, ChronicRegistration
from filing.domain.eligibility import Basis, CareType, assess
from filing.domain.filing import (
    Filing,
    FilingClass,
    Subtype,
)
from filing.domain.institution import Institution, Kind, Level, NetworkedService
from filing.domain.person import Insutype, Person, PersonStatus, PersonType

from .conftest import file

TIANJIN, BEIJING, SHANGHAI, SHIJIAZHUANG = "120000", "110000", "310000", "130100"
DAY = date(2026, 12, 5)
S = NetworkedService
ALL_HOSPITAL_SERVICES = frozenset({S.INPATIENT, S.GENERAL_OUTPATIENT, S.CHRONIC_OUTPATIENT})


def person(insured: str = TIANJIN, status: PersonStatus = PersonStatus.ACTIVE) -> Person:
    return Person(
        "P1",
        "张三",
        "110105********002X",
        insured,
        Insutype.EMPLOYEE,
        PersonType.EMPLOYEE_RETIRED,
        status,
    )


def hospital(
    code: str = "H1",
    region: str = "310104",
    *,
    level: Level | None = Level.THREE,
    services: frozenset[NetworkedService] = ALL_HOSPITAL_SERVICES,
    designated: bool = True,
    kind: Kind = Kind.HOSPITAL,
) -> Institution:
    return Institution(code, f"医院 {code}", region, kind, level, designated, services)


def filing(
    subtype: Subtype = Subtype.RETIREE_RESETTLED,
    destination: str = SHANGHAI,
    *,
    start: date = date(2026, 12, 1),
    end: date | None = None,
    filing_id: str = "f1",
) -> Filing:
    return file(
        subtype, destination_region=destination, start_date=start, end_date=end, filing_id=filing_id
    )


def answer(
    *,
    who: Person | None = None,
    at: Institution | None = None,
    filings: list[Filing] = (),
    registrations: list[ChronicRegistration] = (),
    on: date = DAY,
    care: CareType = CareType.INPATIENT,
):
    return assess(
        person=who or person(),
        institution=at or hospital(),
        filings=list(filings),
        registrations=list(registrations),
        on=on,
        care_type=care,
    )


def codes(eligibility) -> list[str]:
    return [reason.code for reason in eligibility.reasons]


# --- D-F1: a valid filing to the institution's place ---------------------------------------


@pytest.mark.parametrize("care", [CareType.INPATIENT, CareType.GENERAL_OUTPATIENT])
def test_d_f1_a_filing_in_force_to_the_institutions_place_settles_directly(care):
    result = answer(filings=[filing()], care=care)
    assert result.direct_settlement
    assert result.basis is Basis.FILING
    assert (result.filing_class, result.subtype, result.filing_id) == (
        FilingClass.LONG_TERM,
        Subtype.RETIREE_RESETTLED,
        "f1",
    )
    assert result.reasons == ()


def test_d_f1_without_any_filing_there_is_no_direct_settlement_and_the_way_out_is_named():
    result = answer()
    assert not result.direct_settlement
    assert result.basis is None
    assert codes(result) == ["no_filing"]
    assert "D-F7" in result.detail and "D-F8" in result.detail


@pytest.mark.parametrize("on", [date(2026, 11, 30), date(2027, 1, 1)])
def test_d_f6_a_filing_not_yet_started_or_already_ended_does_not_count(on):
    result = answer(filings=[filing(end=date(2026, 12, 31))], on=on)
    assert codes(result) == ["filing_not_in_force"]


def test_d_f6_a_cancelled_filing_counts_for_the_days_before_its_cancellation():
    cancelled = filing().cancelled(today=date(2026, 12, 10))
    assert answer(filings=[cancelled], on=date(2026, 12, 9)).direct_settlement
    assert codes(answer(filings=[cancelled], on=date(2026, 12, 10))) == ["filing_not_in_force"]


def test_d_f4_a_filing_to_another_place_is_a_destination_mismatch():
    result = answer(filings=[filing(destination=SHIJIAZHUANG)])
    assert codes(result) == ["destination_mismatch"]
    assert SHIJIAZHUANG in result.detail and SHANGHAI in result.detail


def test_d_f12_a_district_hospital_matches_a_filing_to_its_city():
    result = answer(filings=[filing(destination=SHIJIAZHUANG)], at=hospital(region="130104"))
    assert result.direct_settlement


def test_a_long_term_filing_is_preferred_when_a_temporary_one_also_covers_the_day():
    temporary = filing(Subtype.OTHER_TEMPORARY, filing_id="t1")
    long_term = filing(filing_id="l1", start=date(2026, 12, 3))
    result = answer(filings=[temporary, long_term])
    assert result.filing_id == "l1"


# --- D-F5: the institution must be designated and networked for the care -------------------


@pytest.mark.parametrize(
    ("care", "services"),
    [
        (CareType.INPATIENT, frozenset({S.GENERAL_OUTPATIENT})),
        (CareType.GENERAL_OUTPATIENT, frozenset({S.INPATIENT})),
        (CareType.CHRONIC_OUTPATIENT, frozenset({S.INPATIENT})),
        (CareType.EMERGENCY, frozenset({S.CHRONIC_OUTPATIENT})),
    ],
)
def test_d_f5_an_institution_not_networked_for_the_care_type_is_refused(care, services):
    result = answer(filings=[filing()], at=hospital(services=services), care=care)
    assert codes(result) == ["institution_not_networked"]


def test_d_f5_a_networked_pharmacy_settles_general_outpatient_drugs():
    pharmacy = hospital(kind=Kind.PHARMACY, level=None, services=frozenset({S.PHARMACY}))
    assert answer(
        filings=[filing()], at=pharmacy, care=CareType.GENERAL_OUTPATIENT
    ).direct_settlement


def test_an_undesignated_institution_is_refused():
    result = answer(filings=[filing()], at=hospital(designated=False, services=frozenset()))
    assert codes(result) == ["institution_not_designated"]


def test_care_in_the_insured_place_is_local_not_cross_region():
    assert codes(answer(at=hospital(region="120101"))) == ["local_care"]


def test_a_suspended_person_gets_no_direct_settlement_even_with_a_filing():
    result = answer(who=person(status=PersonStatus.SUSPENDED), filings=[filing()])
    assert codes(result) == ["person_not_active"]


# --- Art. 7 and 26: temporary referral and own-initiative care at level-2/3 institutions -----


@pytest.mark.parametrize("subtype", [Subtype.REFERRAL, Subtype.OTHER_TEMPORARY])
@pytest.mark.parametrize("level", [Level.ONE, None])
def test_d_s5_referral_and_own_initiative_filings_need_a_level_2_or_3_institution(subtype, level):
    result = answer(filings=[filing(subtype)], at=hospital(level=level))
    assert codes(result) == ["institution_level_too_low"]


@pytest.mark.parametrize("level", [Level.TWO, Level.THREE])
def test_d_s5_a_level_2_or_3_institution_settles_own_initiative_care(level):
    assert answer(
        filings=[filing(Subtype.OTHER_TEMPORARY)], at=hospital(level=level)
    ).direct_settlement


def test_a_long_term_filer_is_settled_at_a_level_1_institution():
    assert answer(filings=[filing()], at=hospital(level=Level.ONE)).direct_settlement


# --- D-F10: deemed filings -----------------------------------------------------------------


def test_d_f10_emergency_care_needs_no_filing_and_the_answer_says_deemed_and_why():
    result = answer(care=CareType.EMERGENCY)
    assert result.direct_settlement
    assert result.basis is Basis.DEEMED_EMERGENCY
    assert (result.filing_class, result.subtype, result.filing_id) == (
        FilingClass.TEMPORARY,
        Subtype.EMERGENCY,
        None,
    )
    assert "deemed" in result.detail and "D-F10" in result.detail


def test_d_f10_an_emergency_at_a_place_with_a_filing_is_settled_on_the_filing():
    assert answer(filings=[filing()], care=CareType.EMERGENCY).basis is Basis.FILING


@pytest.mark.parametrize(
    ("insured", "region"),
    [(TIANJIN, "110105"), (BEIJING, "120101"), (SHIJIAZHUANG, "110105"), (TIANJIN, "130104")],
)
def test_d_f10_care_across_beijing_tianjin_hebei_needs_no_filing(insured, region):
    result = answer(who=person(insured), at=hospital(region=region))
    assert result.direct_settlement
    assert result.basis is Basis.DEEMED_JJJ
    assert result.filing_id is None
    assert "Beijing–Tianjin–Hebei" in result.detail


@pytest.mark.parametrize(
    ("insured", "region"), [(SHIJIAZHUANG, "130203"), (TIANJIN, "310104"), ("310000", "110105")]
)
def test_d_f10_care_inside_hebei_or_outside_jjj_is_not_deemed(insured, region):
    result = answer(who=person(insured), at=hospital(region=region))
    assert not result.direct_settlement
    assert codes(result) == ["no_filing"]


# --- D-F9: chronic outpatient care ---------------------------------------------------------


def registration(*codes: str, active: bool = True) -> ChronicRegistration:
    r = ChronicRegistration("c1", "P1", "f1", ChronicDisease.DIABETES, codes)
    return r if active else r.cancelled()


def test_d_f9_chronic_care_at_a_chosen_institution_of_a_long_term_filer_settles_directly():
    result = answer(
        filings=[filing()], registrations=[registration("H1")], care=CareType.CHRONIC_OUTPATIENT
    )
    assert result.direct_settlement
    assert result.chronic_registration_id == "c1"


@pytest.mark.parametrize(
    ("filings", "registrations", "code"),
    [
        ([filing(Subtype.OTHER_TEMPORARY)], [registration("H1")], "chronic_needs_long_term_filing"),
        ([filing()], [], "no_chronic_registration"),
        ([filing()], [registration("H1", active=False)], "no_chronic_registration"),
        ([filing()], [registration("H9")], "chronic_institution_not_chosen"),
    ],
)
def test_d_f9_chronic_care_needs_a_long_term_filing_a_registration_and_a_chosen_institution(
    filings, registrations, code
):
    result = answer(filings=filings, registrations=registrations, care=CareType.CHRONIC_OUTPATIENT)
    assert codes(result) == [code]


def test_m8_jjj_chronic_care_needs_a_registered_disease_but_no_filing():
    at_beijing = hospital(region="110105")
    care = CareType.CHRONIC_OUTPATIENT
    refused = answer(at=at_beijing, care=care)
    assert codes(refused) == ["no_filing", "no_chronic_registration"]
    settled = answer(at=at_beijing, registrations=[registration()], care=care)
    assert settled.basis is Basis.DEEMED_JJJ
    assert settled.chronic_registration_id == "c1"
