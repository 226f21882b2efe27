"""The personal share by filing situation: D-S4 (Art. 25), D-S5 (Art. 26), D-F10, D-R5.

Every example: a Tianjin employee in service, first admission, one class-A line of
10,000.00 (in scope 10,000.00). At level 3 the deductible is 1,700.00 and the fund ratio 80 %;
at level 2 they are 1,100.00 and 85 %.
"""

from __future__ import annotations

import pytest

from settlement.domain.policy import (
    Coverage,
    FundPaysNothing,
    InstitutionNotDesignated,
    settle,
)

from .conftest import (
    BEIJING_CATALOGUE,
    D,
    bill,
    deemed,
    long_term,
    own_initiative,
    policy,
    referral,
    rules_of,
    settlement_input,
)

SURGERY_10000 = bill(("SURGERY", "1", "10000.00"))


def settle_for(coverage, level: int = 3):
    return settle(
        settlement_input(SURGERY_10000, coverage),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(level=level),
    )


# -- D-S4 ----------------------------------------------------------------------------------


def test_d_s4_long_term_filers_are_paid_at_the_insured_places_ratio():
    # (10000 - 1700) x 0.80 = 6640.00
    result = settle_for(long_term())
    assert (result.hifp_pay, result.pool_prop_selfpay) == (D("6640.00"), D("0.20"))
    assert "D-S4" in rules_of(result)


def test_d_s4_a_referral_patient_at_the_receiving_institution_pays_five_points_more():
    # Ratio 80 % - 5 points = 75 %: (10000 - 1700) x 0.75 = 6225.00
    result = settle_for(referral("receiving_institution"))
    assert (result.hifp_pay, result.pool_prop_selfpay) == (D("6225.00"), D("0.25"))
    step = next(step for step in result.trace if step.rule == "D-S4")
    assert step.amount == D("0.05")
    assert "receiving institution: personal share +5 points" in step.detail


def test_d_s4_at_a_consortium_institution_of_the_receiving_one_the_same_five_points():
    # As at the receiving institution: 6225.00
    result = settle_for(referral("consortium_institution"))
    assert (result.hifp_pay, result.pool_prop_selfpay) == (D("6225.00"), D("0.25"))


def test_d_s4_at_a_jjj_mutually_recognised_institution_tianjins_own_rules_no_increase():
    # No increase: (10000 - 1700) x 0.80 = 6640.00
    result = settle_for(referral("jjj_mutual_recognition"))
    assert (result.hifp_pay, result.pool_prop_selfpay) == (D("6640.00"), D("0.20"))
    assert any("mutually recognised" in step.detail for step in result.trace)


# -- D-S5 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "fund", "personal"),
    [
        (2, "6675.00", "0.25"),  # 85 % - 10 = 75 %: (10000 - 1100) x 0.75
        (3, "5810.00", "0.30"),  # 80 % - 10 = 70 %: (10000 - 1700) x 0.70
    ],
)
def test_d_s5_own_initiative_care_at_a_level_2_or_3_designated_institution_ten_points_more(
    level, fund, personal
):
    result = settle_for(own_initiative(level), level=level)
    assert (result.hifp_pay, result.pool_prop_selfpay) == (D(fund), D(personal))
    step = next(step for step in result.trace if step.rule == "D-S5")
    assert step.amount == D("0.10")


def test_d_s5_a_referral_patient_elsewhere_than_the_referral_is_on_own_initiative():
    # One target institution per referral (D-R2): at another level-3 hospital, as D-S5.
    coverage = referral("none")
    assert settle_for(coverage).hifp_pay == D("5810.00")


@pytest.mark.parametrize(
    "coverage",
    [
        own_initiative(1),  # a level-1 institution
        own_initiative(None),  # an ungraded clinic or a pharmacy
        own_initiative(3, designated=False),  # a level-3 hospital that is not designated
    ],
)
def test_d_s5_own_initiative_care_anywhere_else_the_fund_pays_nothing(coverage):
    with pytest.raises(FundPaysNothing) as refusal:
        settle_for(coverage, level=coverage.institution_level or 1)
    assert (refusal.value.code, refusal.value.status) == ("fund_pays_nothing", 422)
    assert refusal.value.field == "institution_code"


def test_d_f5_a_filer_at_an_undesignated_institution_is_not_directly_settled():
    undesignated = Coverage("filing", "long_term", "stationed_worker", "none", 3, False)
    with pytest.raises(InstitutionNotDesignated) as refusal:
        settle_for(undesignated)
    assert refusal.value.code == "institution_not_designated"


# -- D-F10 deemed filings, D-R5 emergencies -------------------------------------------------


def test_d_f10_a_deemed_emergency_is_paid_per_the_rules_without_points_at_any_institution():
    # Even at an undesignated level-1 hospital: (10000 - 800) x 0.85 = 7820.00
    result = settle_for(deemed("deemed_emergency", level=1, designated=False), level=1)
    assert (result.hifp_pay, result.pool_prop_selfpay) == (D("7820.00"), D("0.15"))
    assert "D-F10" in rules_of(result)


def test_d_f10_beijing_tianjin_hebei_deemed_filing_is_paid_on_the_own_rules_without_points():
    # (10000 - 1700) x 0.80 = 6640.00
    result = settle_for(deemed("deemed_jjj"))
    assert (result.hifp_pay, result.pool_prop_selfpay) == (D("6640.00"), D("0.20"))
    assert "D-F10" in rules_of(result)


def test_d_r5_an_emergency_filer_is_paid_per_the_rules_without_points():
    coverage = Coverage("filing", "temporary", "emergency", "none", 3, True)
    result = settle_for(coverage)
    assert result.hifp_pay == D("6640.00")
    assert "D-R5" in rules_of(result)
