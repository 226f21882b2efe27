"""Who is covered how at which institution on which day, without I/O.

D-F1 a filing in force (or a deemed one) is needed; D-F4 a city filing covers its city, a
province-level one its province; D-F5 the filing's scope and the institution's networked
services; D-F7 a filing made before discharge covers the stay; D-F9 chronic care at the
registered institutions; D-F10 emergencies and Beijing–Tianjin–Hebei care are deemed filed;
D-S4 the referral status at the receiving, consortium or mutually recognised institution.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from settlement.domain.coverage import (
    CareAt,
    ChronicRegistration,
    Institution,
    KnownPerson,
    KnownReferral,
    decide_coverage,
    ensure_networked,
    jjj_deemed,
    pooling_region,
    region_within,
)
from settlement.domain.eligibility import KnownFiling
from settlement.domain.errors import (
    ChronicInstitutionNotRegistered,
    EmergencyNotApplicable,
    NotCrossRegion,
    NotNetworkedForCare,
    NoValidFiling,
    PersonNotActive,
)
from settlement.domain.policy.model import CareType

TIANJIN_PERSON = KnownPerson(
    psn_no="P1",
    name="张三",
    insured_region="120000",
    insutype="310",
    person_type="employee_in_service",
    status="active",
)
SHANGHAI_HOSPITAL = Institution(
    code="H310",
    name="上海某医院",
    region="310104",
    kind="hospital",
    level=3,
    designated=True,
    networked_services=frozenset({"inpatient", "general_outpatient", "chronic_outpatient"}),
    consortium_id="SH-C1",
    jjj_mutual_recognition=False,
)
BEIJING_HOSPITAL = replace(SHANGHAI_HOSPITAL, code="H110", region="110105", consortium_id=None)
TEMPORARY_TO_SHANGHAI = KnownFiling(
    filing_id="tmp",
    filing_class="temporary",
    subtype="other_temporary",
    destination_region="310000",
    start_date=date(2025, 1, 1),
    end_date=date(2025, 12, 31),
)
LONG_TERM_TO_SHANGHAI = replace(
    TEMPORARY_TO_SHANGHAI,
    filing_id="lt",
    filing_class="long_term",
    subtype="long_term_resident",
    end_date=None,
)


def care(
    institution: Institution = SHANGHAI_HOSPITAL,
    care_type: CareType = CareType.INPATIENT,
    *,
    admitted_on: date = date(2025, 6, 1),
    on: date = date(2025, 6, 5),
    **more,
) -> CareAt:
    return CareAt(institution, care_type, admitted_on=admitted_on, on=on, **more)


def decide(care_at: CareAt, *, filings=(), referrals=(), chronic=(), person=TIANJIN_PERSON):
    return decide_coverage(
        person=person,
        care=care_at,
        filings=list(filings),
        referrals=list(referrals),
        chronic_registrations=list(chronic),
    )


@pytest.mark.parametrize(
    ("region", "area", "within"),
    [
        ("310104", "310000", True),  # a municipality covers its districts
        ("460105", "460000", True),  # Hainan: province-level filing (D-F4)
        ("130104", "130100", True),  # a city covers its districts
        ("130204", "130100", False),  # another city of the same province
        ("130100", "130000", True),
        ("110105", "120000", False),
    ],
)
def test_d_f4_a_filing_destination_covers_its_city_or_its_province(region, area, within):
    assert region_within(region, area) is within


@pytest.mark.parametrize(
    ("insured", "treated", "deemed"),
    [
        ("120000", "110105", True),
        ("110000", "130100", True),
        ("130100", "120104", True),
        ("130100", "130200", False),  # inside Hebei: not across the three
        ("120000", "310104", False),
        ("310000", "110105", False),
    ],
)
def test_d_f10_beijing_tianjin_hebei_care_is_deemed_filed_across_the_three(
    insured, treated, deemed
):
    assert jjj_deemed(insured, treated) is deemed


def test_d_f1_a_filing_in_force_for_the_institutions_region_covers_the_stay():
    decision = decide(care(), filings=[TEMPORARY_TO_SHANGHAI])

    assert decision.coverage.basis == "filing"
    assert decision.coverage.filing_class == "temporary"
    assert decision.coverage.subtype == "other_temporary"
    assert decision.coverage.institution_level == 3
    assert decision.trace[0].rule == "D-F1"


def test_d_f1_without_a_filing_the_refusal_points_to_late_filing_and_a_manual_claim():
    with pytest.raises(NoValidFiling) as refused:
        decide(care())
    assert refused.value.field == "psn_no"
    assert "D-F7" in refused.value.detail
    assert "D-F8" in refused.value.detail
    assert refused.value.extra == {"remedies": ["D-F7", "D-F8"]}


def test_d_f1_a_filing_to_another_region_does_not_cover():
    to_hainan = replace(TEMPORARY_TO_SHANGHAI, destination_region="460000")
    with pytest.raises(NoValidFiling):
        decide(care(), filings=[to_hainan])


def test_d_f6_the_discharge_day_must_be_covered():
    ended = replace(TEMPORARY_TO_SHANGHAI, end_date=date(2025, 6, 4))
    with pytest.raises(NoValidFiling):
        decide(care(on=date(2025, 6, 5)), filings=[ended])


def test_d_f6_a_filing_cancelled_after_discharge_still_covers_the_past_stay():
    cancelled_later = replace(TEMPORARY_TO_SHANGHAI, cancelled_on=date(2025, 7, 1))
    assert decide(care(), filings=[cancelled_later]).coverage.basis == "filing"


def test_d_f7_a_filing_made_during_the_stay_before_discharge_covers_the_whole_stay():
    late = replace(TEMPORARY_TO_SHANGHAI, start_date=date(2025, 6, 3))
    decision = decide(care(admitted_on=date(2025, 6, 1), on=date(2025, 6, 5)), filings=[late])
    assert decision.coverage.basis == "filing"
    assert decision.trace[0].rule == "D-F7"


def test_d_f5_an_inpatient_only_filing_does_not_cover_outpatient_care():
    inpatient_only = replace(TEMPORARY_TO_SHANGHAI, scope=frozenset({"inpatient"}))
    with pytest.raises(NoValidFiling):
        decide(care(care_type=CareType.GENERAL_OUTPATIENT), filings=[inpatient_only])
    assert decide(care(), filings=[inpatient_only]).coverage.basis == "filing"


def test_d_s4_a_long_term_filing_wins_over_a_temporary_one():
    decision = decide(care(), filings=[TEMPORARY_TO_SHANGHAI, LONG_TERM_TO_SHANGHAI])
    assert decision.coverage.filing_class == "long_term"


def test_d_f10_an_emergency_without_a_filing_is_deemed_filed():
    decision = decide(care(emergency=True))
    assert decision.coverage.basis == "deemed_emergency"
    assert decision.coverage.filing_class is None
    assert decision.trace[0].rule == "D-F10"


def test_d_f10_an_emergency_counts_as_emergency_even_with_a_temporary_filing():
    decision = decide(care(emergency=True), filings=[TEMPORARY_TO_SHANGHAI])
    assert decision.coverage.basis == "deemed_emergency"


def test_d_f10_an_emergency_is_inpatient_or_general_outpatient_care():
    with pytest.raises(EmergencyNotApplicable):
        decide(care(care_type=CareType.PHARMACY_OUTPATIENT, emergency=True))


def test_d_f10_m10_tianjin_insured_care_in_beijing_is_deemed_filed():
    decision = decide(care(BEIJING_HOSPITAL))
    assert decision.coverage.basis == "deemed_jjj"


def test_d_f10_a_temporary_filing_to_beijing_comes_before_the_deemed_filing():
    to_beijing = replace(TEMPORARY_TO_SHANGHAI, destination_region="110000")
    assert decide(care(BEIJING_HOSPITAL), filings=[to_beijing]).coverage.basis == "filing"


def test_d_s1_care_in_the_insured_region_is_not_cross_region_settlement():
    tianjin_hospital = replace(SHANGHAI_HOSPITAL, region="120104")
    with pytest.raises(NotCrossRegion):
        decide(care(tianjin_hospital), filings=[LONG_TERM_TO_SHANGHAI])


def test_a_suspended_person_gets_no_direct_settlement():
    with pytest.raises(PersonNotActive):
        decide(
            care(),
            filings=[LONG_TERM_TO_SHANGHAI],
            person=replace(TIANJIN_PERSON, status="suspended"),
        )


def referral(target: str = "H310", **more) -> KnownReferral:
    return KnownReferral(
        **{
            "referral_id": "R1",
            "target_institution": target,
            "valid_from": date(2025, 5, 1),
            "valid_to": date(2025, 7, 31),
            **more,
        }
    )


def test_d_s4_at_the_receiving_institution_the_referral_counts():
    decision = decide(care(), filings=[TEMPORARY_TO_SHANGHAI], referrals=[referral()])
    assert decision.coverage.referral == "receiving_institution"


def test_d_s4_d_r4_an_institution_listed_on_the_certificate_is_a_consortium_institution():
    covered = referral("H999", covered_institutions=frozenset({"H999", "H310"}))
    decision = decide(care(), filings=[TEMPORARY_TO_SHANGHAI], referrals=[covered])
    assert decision.coverage.referral == "consortium_institution"


def test_d_s4_an_institution_in_the_targets_consortium_is_a_consortium_institution():
    same_consortium = referral("H999", consortium_id="SH-C1")
    decision = decide(care(), filings=[TEMPORARY_TO_SHANGHAI], referrals=[same_consortium])
    assert decision.coverage.referral == "consortium_institution"


def test_d_s4_a_mutually_recognised_beijing_tianjin_hebei_institution_gets_its_own_status():
    recognised = replace(BEIJING_HOSPITAL, jjj_mutual_recognition=True)
    to_beijing = replace(TEMPORARY_TO_SHANGHAI, destination_region="110000", subtype="referral")
    decision = decide(care(recognised), filings=[to_beijing], referrals=[referral("H110")])
    assert decision.coverage.referral == "jjj_mutual_recognition"


@pytest.mark.parametrize(
    "unusable",
    [
        referral("H999"),  # another institution
        referral(valid_to=date(2025, 6, 4)),  # expired before discharge
        referral(revoked=True),
    ],
)
def test_d_s4_a_referral_elsewhere_expired_or_revoked_does_not_count(unusable):
    decision = decide(care(), filings=[TEMPORARY_TO_SHANGHAI], referrals=[unusable])
    assert decision.coverage.referral == "none"


def test_d_f9_chronic_care_only_at_a_registered_institution_for_the_registered_disease():
    registration = ChronicRegistration(
        registration_id="C1",
        disease_code="M03900",
        institution_codes=frozenset({"H310"}),
        active=True,
    )
    chronic_care = care(care_type=CareType.CHRONIC_OUTPATIENT, chronic_disease="M03900")
    decision = decide(chronic_care, filings=[LONG_TERM_TO_SHANGHAI], chronic=[registration])
    assert decision.trace[0].rule == "D-F9"

    for refused in (
        replace(registration, institution_codes=frozenset({"H999"})),
        replace(registration, disease_code="M01600"),
        replace(registration, active=False),
    ):
        with pytest.raises(ChronicInstitutionNotRegistered) as error:
            decide(chronic_care, filings=[LONG_TERM_TO_SHANGHAI], chronic=[refused])
        assert error.value.field == "chronic_disease"


@pytest.mark.parametrize(
    ("care_type", "service"),
    [
        (CareType.INPATIENT, "inpatient"),
        (CareType.GENERAL_OUTPATIENT, "general_outpatient"),
        (CareType.CHRONIC_OUTPATIENT, "chronic_outpatient"),
        (CareType.PHARMACY_OUTPATIENT, "pharmacy"),
    ],
)
def test_d_f12_direct_settlement_only_for_the_services_the_institution_is_networked_for(
    care_type, service
):
    offering = replace(SHANGHAI_HOSPITAL, networked_services=frozenset({service}))
    ensure_networked(offering, care_type)
    with pytest.raises(NotNetworkedForCare):
        ensure_networked(replace(offering, networked_services=frozenset()), care_type)


@pytest.mark.parametrize(
    ("region", "pooling"),
    [
        ("110105", "110000"),  # Beijing is one pooling region
        ("120104", "120000"),
        ("460105", "460000"),  # Hainan, Tibet and XPCC pool at province level (D-F4)
        ("130104", "130100"),  # elsewhere each city pools
        ("130100", "130100"),
    ],
)
def test_d_f4_clearing_and_catalogues_go_by_the_pooling_region_of_the_institution(region, pooling):
    assert pooling_region(region) == pooling
