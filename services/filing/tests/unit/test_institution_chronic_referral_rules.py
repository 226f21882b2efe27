"""Institutions (D-F5, D-F12), chronic registration (D-F9) and cited referrals (D-F2)."""

from datetime import date

import pytest

from filing.domain.chronic import (
    ChronicDisease,
    ChronicRegistration,
    check_chronic_institutions,
    long_term_filing_for_chronic,
    new_registration,
)
from filing.domain.errors import (
    ChronicRegistrationRefused,
    InvalidInstitution,
    InvalidRegion,
    ReferralRefused,
)
from filing.domain.filing import Filing, Subtype
from filing.domain.institution import Institution, Kind, Level, NetworkedService, new_institution
from filing.domain.referral import KnownReferral, check_referral
from medins_common.errors import Conflict

from .conftest import file

TIANJIN, BEIJING, SHANGHAI = "120000", "110000", "310000"
TODAY = date(2026, 11, 23)
S = NetworkedService


def institution(
    code: str = "H1",
    *,
    region: str = "110105",
    kind: Kind = Kind.HOSPITAL,
    level: Level | None = Level.THREE,
    designated: bool = True,
    services: set[NetworkedService] = frozenset({S.INPATIENT, S.CHRONIC_OUTPATIENT}),
) -> Institution:
    return new_institution(
        code=code,
        name=f"医院 {code}",
        region=region,
        kind=kind,
        level=level,
        designated=designated,
        networked_services=frozenset(services),
        consortium_id=None,
        jjj_mutual_recognition=False,
    )


def filing(subtype: Subtype = Subtype.RETIREE_RESETTLED, **changes) -> Filing:
    return file(subtype, **{"start_date": TODAY, **changes})


# --- institutions --------------------------------------------------------------------------


def test_d_f12_an_institution_lies_in_the_place_of_its_district():
    assert institution(region="110105").place == BEIJING
    assert institution(region="130104").place == "130100"


def test_d_f5_only_a_designated_institution_offers_its_networked_services():
    hospital = institution()
    assert hospital.offers(S.INPATIENT)
    assert not hospital.offers(S.GENERAL_OUTPATIENT)


def test_an_undesignated_institution_cannot_be_networked():
    with pytest.raises(InvalidInstitution) as refused:
        institution(designated=False)
    assert refused.value.field == "networked_services"
    assert not institution(designated=False, services=set()).offers(S.INPATIENT)


def test_a_pharmacy_has_no_level_and_settles_only_pharmacy_care():
    pharmacy = institution(kind=Kind.PHARMACY, level=None, services={S.PHARMACY})
    assert pharmacy.offers(S.PHARMACY)
    with pytest.raises(InvalidInstitution) as refused:
        institution(kind=Kind.PHARMACY, level=Level.ONE, services={S.PHARMACY})
    assert refused.value.field == "level"
    with pytest.raises(InvalidInstitution):
        institution(kind=Kind.PHARMACY, level=None, services={S.INPATIENT})


def test_a_hospital_is_not_networked_as_a_pharmacy():
    with pytest.raises(InvalidInstitution):
        institution(services={S.PHARMACY})


def test_an_institution_needs_a_known_region():
    with pytest.raises(InvalidRegion) as refused:
        institution(region="990101")
    assert refused.value.code == "invalid_region"
    assert refused.value.field == "region"


# --- D-F9: chronic registration -----------------------------------------------------------


def test_d_f9_the_five_national_pilot_diseases_have_stable_codes_and_official_names():
    assert {d.value: d.official_name for d in ChronicDisease} == {
        "M03900": "高血压",
        "M01600": "糖尿病",
        "M00500": "恶性肿瘤门诊放化疗",
        "M07800": "尿毒症透析",
        "M08300": "器官移植术后抗排异治疗",
    }


def test_d_f9_a_long_term_filer_registers_with_two_destination_institutions():
    found = {code: institution(code) for code in ("H1", "H2")}
    registration = new_registration(
        registration_id="c1",
        psn_no="P1",
        disease=ChronicDisease.DIABETES,
        institution_codes=["H1", "H2"],
        filings=[filing()],
        found=found,
        today=TODAY,
    )
    assert registration.filing_id == "f1"
    assert registration.institution_codes == ("H1", "H2")


def test_d_f9_a_third_institution_is_refused():
    found = {code: institution(code) for code in ("H1", "H2", "H3")}
    with pytest.raises(ChronicRegistrationRefused) as refused:
        check_chronic_institutions(["H1", "H2", "H3"], found=found, destination=BEIJING)
    assert refused.value.code == "chronic_institution_limit"
    assert refused.value.field == "institution_codes"


@pytest.mark.parametrize(
    ("chosen", "code"),
    [
        (institution("H1", services={S.INPATIENT}), "institution_not_chronic"),
        (institution("H1", region="310104"), "institution_outside_destination"),
        (None, "institution_not_found"),
    ],
)
def test_d_f9_a_chosen_institution_is_in_the_destination_and_settles_chronic_care(chosen, code):
    found = {"H1": chosen} if chosen else {}
    with pytest.raises(ChronicRegistrationRefused) as refused:
        check_chronic_institutions(["H1"], found=found, destination=BEIJING)
    assert refused.value.code == code


def test_d_f9_the_same_institution_twice_is_refused():
    with pytest.raises(ChronicRegistrationRefused) as refused:
        check_chronic_institutions(["H1", "H1"], found={"H1": institution()}, destination=BEIJING)
    assert refused.value.code == "duplicate_institution"


@pytest.mark.parametrize(
    "filings",
    [
        [],
        [filing(Subtype.OTHER_TEMPORARY)],  # temporary filers do not register
        [filing().cancelled(today=TODAY)],
        [filing(end_date=TODAY)],  # ends before the day it is asked on below
    ],
)
def test_d_f9_chronic_registration_needs_an_active_long_term_filing(filings):
    with pytest.raises(ChronicRegistrationRefused) as refused:
        long_term_filing_for_chronic(filings, today=date(2026, 11, 24))
    assert refused.value.code == "chronic_needs_long_term_filing"


def test_d_f9_the_long_term_filing_in_force_is_preferred_to_a_later_one():
    current = filing(end_date=date(2026, 12, 31))
    later = filing(filing_id="f2", start_date=date(2027, 1, 1), destination_region=SHANGHAI)
    assert long_term_filing_for_chronic([later, current], today=TODAY) is current


def test_a_cancelled_registration_is_not_changed():
    registration = ChronicRegistration("c1", "P1", "f1", ChronicDisease.DIABETES, ())
    cancelled = registration.cancelled()
    assert not cancelled.is_active
    with pytest.raises(Conflict):
        cancelled.with_institutions([], found={}, destination=BEIJING)


# --- D-F2: a referral filing citing the ReferralIssued record --------------------------------


def referral(**changes) -> KnownReferral:
    values = {
        "referral_id": "R1",
        "psn_no": "P1",
        "target_institution": "H31010400001",
        "target_region": "310104",
        "valid_from": date(2026, 11, 1),
        "valid_to": date(2027, 1, 31),
        "revoked": False,
    }
    return KnownReferral(**{**values, **changes})


def test_d_f2_a_referral_of_the_person_to_the_destination_is_accepted():
    check_referral(referral(), psn_no="P1", destination_region=SHANGHAI, start_date=TODAY)


@pytest.mark.parametrize(
    ("known", "code"),
    [
        (None, "referral_unknown"),
        (referral(psn_no="P2"), "referral_unknown"),  # someone else's is not revealed
        (referral(revoked=True), "referral_revoked"),
        (
            referral(
                target_institution=None,
                target_region=None,
                valid_from=None,
                valid_to=None,
                revoked=True,
            ),
            "referral_revoked",
        ),
        (referral(target_region="110105"), "referral_other_destination"),
        (referral(valid_to=date(2026, 11, 22)), "referral_expired"),
    ],
)
def test_d_f2_a_cited_referral_must_be_the_persons_valid_referral_to_the_destination(known, code):
    with pytest.raises(ReferralRefused) as refused:
        check_referral(known, psn_no="P1", destination_region=SHANGHAI, start_date=TODAY)
    assert refused.value.code == code
