"""DOMAIN.md "Settlement arithmetic" by worked examples: every figure is computed by hand in
the comments, with the Tianjin figures of 津医保发〔2023〕72号 (the shipped defaults)."""

from __future__ import annotations

import pytest

from settlement.domain.policy import (
    CareType,
    ChronicDiseaseNotCovered,
    UnknownItem,
    Usage,
    settle,
)

from .conftest import (
    BEIJING_CATALOGUE,
    FRESH,
    D,
    bill,
    long_term,
    policy,
    rules_of,
    settlement_input,
    split,
)

# A Tianjin employee in service, long-term filer in Beijing, discharged from a level-3
# hospital; the first admission of the year.
STAY = bill(
    ("DRUG-A", "10", "12.50"),  # class A: 125.00 in scope
    ("BED", "8", "60.00"),  # 480.00, cap 8 x 50.00 = 400.00: 80.00 over the cap
    ("DRUG-B", "20", "15.00"),  # 300.00, class B: 10 % = 30.00 first self-pay
    ("STENT", "1", "900.00"),  # 900.00, 100.00 over the cap; 30 % of 800.00 = 240.00
    ("DRUG-C", "2", "45.00"),  # class C: 90.00 all self-paid
    ("SURGERY", "1", "6000.00"),  # class A: 6000.00 in scope
)


def test_d_s2_each_line_is_valued_by_class_and_cap_and_the_totals_are_their_sums():
    result = settle(
        settlement_input(STAY, long_term()), catalogue=BEIJING_CATALOGUE, policy=policy()
    )
    # medfee = 125 + 480 + 300 + 900 + 90 + 6000 = 7895.00
    assert result.medfee_sumamt == D("7895.00")
    assert result.fulamt_ownpay_amt == D("90.00")  # DRUG-C
    assert result.overlmt_selfpay == D("180.00")  # 80 (BED) + 100 (STENT)
    assert result.preselfpay_amt == D("270.00")  # 30 (DRUG-B) + 240 (STENT)
    # inscp = 7895 - 90 - 180 - 270 = 7355.00
    assert result.inscp_scp_amt == D("7355.00")
    # Level 3, first admission: deductible 1700.00. Fund ratio 80 %.
    # hifp = (7355 - 1700) x 0.80 = 5655 x 0.80 = 4524.00; person = 7895 - 4524 = 3371.00
    assert split(result) == (D("7895.00"), D("1700.00"), D("4524.00"), D("3371.00"))
    assert result.fund_pay_sumamt == result.hifp_pay
    assert result.pool_prop_selfpay == D("0.20")
    stent = result.lines[3]
    assert (stent.overlmt_selfpay, stent.preselfpay_amt, stent.inscp_scp_amt) == (
        D("100.00"),
        D("240.00"),
        D("560.00"),
    )


AMOUNTS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
)


def test_the_trace_explains_every_amount_with_its_rule_and_figure():
    result = settle(
        settlement_input(STAY, long_term()), catalogue=BEIJING_CATALOGUE, policy=policy()
    )
    for name in AMOUNTS:
        steps = [step for step in result.trace if step.detail.startswith(f"{name}:")]
        assert [step.amount for step in steps] == [getattr(result, name)], name
        assert steps[0].rule.startswith("D-")
    # Each line's self-paid parts are traced too: BED's 80.00 over the cap of 50.
    assert any(
        step.amount == D("80.00") and "price cap 50.00" in step.detail for step in result.trace
    )


def test_usage_after_adds_this_bills_deductible_fund_and_admission():
    result = settle(
        settlement_input(STAY, long_term()), catalogue=BEIJING_CATALOGUE, policy=policy()
    )
    assert result.usage_after == Usage(D("1700.00"), D("4524.00"), 1)


# -- deductibles ----------------------------------------------------------------------------

SURGERY_10000 = bill(("SURGERY", "1", "10000.00"))


@pytest.mark.parametrize(
    ("level", "admissions", "deductible", "fund"),
    [
        (1, 0, "800.00", "7820.00"),  # (10000 - 800) x 0.85
        (2, 0, "1100.00", "7565.00"),  # (10000 - 1100) x 0.85
        (3, 0, "1700.00", "6640.00"),  # (10000 - 1700) x 0.80
        (1, 1, "270.00", "8270.50"),  # (10000 - 270) x 0.85
        (2, 2, "350.00", "8202.50"),  # (10000 - 350) x 0.85
        (3, 1, "500.00", "7600.00"),  # (10000 - 500) x 0.80
    ],
)
def test_each_admission_has_its_deductible_the_first_of_the_year_the_higher(
    level, admissions, deductible, fund
):
    usage = Usage(D("0"), D("0"), admissions)
    result = settle(
        settlement_input(SURGERY_10000, long_term(level), usage=usage),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(level=level),
    )
    assert (result.act_pay_dedc, result.hifp_pay) == (D(deductible), D(fund))


@pytest.mark.parametrize(
    ("admissions", "deductible", "fund"),
    [
        (0, "500.00", "6650.00"),  # (10000 - 500) x 0.70
        (1, "0.00", "7000.00"),  # no deductible from the second admission: 10000 x 0.70
    ],
)
def test_tianjin_residents_pay_a_deductible_on_the_first_admission_only(
    admissions, deductible, fund
):
    result = settle(
        settlement_input(
            SURGERY_10000,
            long_term(2),
            insutype="390",
            person_type="resident",
            usage=Usage(D("0"), D("0"), admissions),
        ),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(insutype="390", person_type="resident", level=2),
    )
    assert (result.act_pay_dedc, result.hifp_pay) == (D(deductible), D(fund))


def test_a_deductible_larger_than_the_bill_takes_the_whole_bill_and_the_fund_pays_nothing():
    # inscp 1000.00 < deductible 1700.00: act_pay_dedc = min(1000, 1700) = 1000.00
    result = settle(
        settlement_input(bill(("SURGERY", "1", "1000.00")), long_term()),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(),
    )
    assert split(result) == (D("1000.00"), D("1000.00"), D("0.00"), D("1000.00"))


def test_the_outpatient_deductible_is_one_a_year_used_up_across_visits():
    # Tianjin employee in service, general outpatient at a level-2 hospital: annual
    # deductible 800.00, fund ratio 65 % (shipped outpatient figures).
    outpatient = policy(care_type=CareType.GENERAL_OUTPATIENT, level=2)

    def visit(amount: str, usage: Usage):
        return settle(
            settlement_input(
                bill(("DRUG-A", "1", amount)),
                long_term(2),
                care_type=CareType.GENERAL_OUTPATIENT,
                usage=usage,
            ),
            catalogue=BEIJING_CATALOGUE,
            policy=outpatient,
        )

    first = visit("500.00", FRESH)  # deductible min(500, 800) = 500; fund 0
    second = visit("600.00", first.usage_after)  # open 800 - 500 = 300; (600 - 300) x 0.65
    third = visit("100.00", second.usage_after)  # nothing open; 100 x 0.65 = 65.00
    assert (first.act_pay_dedc, first.hifp_pay) == (D("500.00"), D("0.00"))
    assert (second.act_pay_dedc, second.hifp_pay) == (D("300.00"), D("195.00"))
    assert (third.act_pay_dedc, third.hifp_pay) == (D("0.00"), D("65.00"))
    assert third.usage_after == Usage(D("800.00"), D("260.00"), 0)  # no admissions counted


def test_a_pharmacy_purchase_draws_on_the_general_outpatient_benefit():
    # At a pharmacy (no level) the any-level outpatient rule applies: ratio 55 %.
    # Deductible already used up this year: 200.00 x 0.55 = 110.00.
    result = settle(
        settlement_input(
            bill(("DRUG-A", "4", "50.00")),
            long_term(None),
            care_type=CareType.PHARMACY_OUTPATIENT,
            usage=Usage(D("800.00"), D("0"), 0),
        ),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(care_type=CareType.PHARMACY_OUTPATIENT, level=None),
    )
    assert split(result) == (D("200.00"), D("0.00"), D("110.00"), D("90.00"))


# -- the annual cap -------------------------------------------------------------------------


def test_the_fund_pays_at_most_what_is_left_of_the_annual_cap():
    # Cap 350,000.00; 349,000.00 already paid this year: 1,000.00 left.
    # Later admission at level 3: (10000 - 500) x 0.80 = 7600.00 > 1000.00, so 1000.00.
    usage = Usage(D("2200.00"), D("349000.00"), 2)
    result = settle(
        settlement_input(SURGERY_10000, long_term(), usage=usage),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(),
    )
    assert split(result) == (D("10000.00"), D("500.00"), D("1000.00"), D("9000.00"))
    assert result.usage_after.fund_paid == D("350000.00")
    assert any("annual cap binds" in step.detail for step in result.trace)

    exhausted = settle(
        settlement_input(SURGERY_10000, long_term(), usage=result.usage_after),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(),
    )
    assert (exhausted.hifp_pay, exhausted.psn_part_amt) == (D("0.00"), D("10000.00"))


# -- retirees -------------------------------------------------------------------------------


def test_retirees_get_five_points_more_of_the_fund():
    # Level 3: 80 % + 5 points = 85 %; (10000 - 1700) x 0.85 = 7055.00
    result = settle(
        settlement_input(SURGERY_10000, long_term(), person_type="employee_retired"),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(person_type="employee_retired"),
    )
    assert (result.hifp_pay, result.pool_prop_selfpay) == (D("7055.00"), D("0.15"))
    assert any(step.detail == "retiree addition: +5 points" for step in result.trace)


# -- rounding -------------------------------------------------------------------------------


def test_line_amounts_and_class_b_shares_round_half_up_at_half_a_fen():
    result = settle(
        settlement_input(
            bill(
                ("DRUG-A", "3", "0.335"),  # 1.005 -> 1.01 (half-up; half-even would be 1.00)
                ("DRUG-B", "3", "3.35"),  # 10.05; 10 % = 1.005 -> 1.01
            ),
            long_term(),
        ),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(),
    )
    assert [line.amount for line in result.lines] == [D("1.01"), D("10.05")]
    assert result.preselfpay_amt == D("1.01")
    assert result.inscp_scp_amt == D("10.05")  # 11.06 - 1.01


def test_the_fund_share_rounds_half_up_at_half_a_fen():
    # Level 1, later admission: deductible 270.00, ratio 85 %.
    # (270.10 - 270.00) x 0.85 = 0.085 -> 0.09; person 270.10 - 0.09 = 270.01
    result = settle(
        settlement_input(
            bill(("SURGERY", "1", "270.10")), long_term(1), usage=Usage(D("0"), D("0"), 1)
        ),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(level=1),
    )
    assert split(result) == (D("270.10"), D("270.00"), D("0.09"), D("270.01"))


# -- scope refusals -------------------------------------------------------------------------


def test_an_item_the_catalogue_does_not_know_refuses_the_direct_settlement():
    with pytest.raises(UnknownItem) as refusal:
        settle(
            settlement_input(bill(("DRUG-A", "1", "1"), ("NOT-LISTED", "1", "1")), long_term()),
            catalogue=BEIJING_CATALOGUE,
            policy=policy(),
        )
    assert (refusal.value.code, refusal.value.field) == ("unknown_item", "lines[1].item_code")


def test_chronic_outpatient_care_is_paid_only_for_a_disease_on_the_insured_places_list():
    # Tianjin employee, chronic outpatient at level 3: annual deductible 800.00, ratio 80 %.
    chronic = policy(care_type=CareType.CHRONIC_OUTPATIENT, level=3)

    def visit(disease: str):
        return settle(
            settlement_input(
                bill(("DRUG-A", "10", "100.00")),
                long_term(),
                care_type=CareType.CHRONIC_OUTPATIENT,
                chronic_disease=disease,
            ),
            catalogue=BEIJING_CATALOGUE,
            policy=chronic,
        )

    # Hypertension (M03900) is listed: (1000 - 800) x 0.80 = 160.00
    assert visit("M03900").hifp_pay == D("160.00")
    with pytest.raises(ChronicDiseaseNotCovered) as refusal:
        visit("M99999")
    assert (refusal.value.code, refusal.value.field) == (
        "chronic_disease_not_covered",
        "chronic_disease",
    )
    assert "D-S2" in rules_of(visit("M03900"))
