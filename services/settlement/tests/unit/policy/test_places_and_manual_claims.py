"""Whose rules apply where: D-S1 (benefits at home too), D-S2 (treatment-place catalogue,
insured-place policy), D-S3 (manual claims valued under Tianjin's catalogue)."""

from __future__ import annotations

import pytest

from settlement.domain.defaults import BEIJING_POLICY
from settlement.domain.policy import CareType, UnknownItem, Usage, settle, value_manual_claim

from .conftest import (
    BEIJING,
    BEIJING_CATALOGUE,
    DRUG,
    HEBEI,
    MATERIAL,
    SERVICE,
    TIANJIN,
    A,
    B,
    C,
    D,
    bill,
    catalogue,
    item,
    long_term,
    own_initiative,
    policy,
    rules_of,
    settlement_input,
    split,
)

# A Tianjin employee in service, long-term filer, first admission at a level-3 hospital:
# deductible 1700.00, ratio 80 %.
STAY = bill(
    ("DRUG-B", "100", "10.00"),  # 1000.00
    ("SURGERY", "1", "9000.00"),  # 9000.00, class A everywhere
)
HEBEI_CATALOGUE = catalogue(HEBEI, item("DRUG-B", DRUG, C), item("SURGERY", SERVICE, A))
TIANJIN_CATALOGUE = catalogue(
    TIANJIN,
    item("DRUG-B", DRUG, B, share="0.10", cap="20.00"),
    item("SURGERY", SERVICE, A),
    item("CT", SERVICE, A, cap="100.00"),
    item("LENS", MATERIAL, A, cap="500.00"),
)


def test_d_s2_the_treatment_places_catalogue_decides_what_is_in_scope():
    in_beijing = settle(
        settlement_input(STAY, long_term(), treatment_region=BEIJING),
        catalogue=BEIJING_CATALOGUE,
        policy=policy(),
    )
    in_hebei = settle(
        settlement_input(STAY, long_term(), treatment_region=HEBEI),
        catalogue=HEBEI_CATALOGUE,
        policy=policy(),
    )
    # Beijing lists DRUG-B as class B (10 %): 100.00 first self-pay, in scope 9900.00;
    # (9900 - 1700) x 0.80 = 6560.00
    assert (in_beijing.preselfpay_amt, in_beijing.inscp_scp_amt) == (D("100.00"), D("9900.00"))
    assert in_beijing.hifp_pay == D("6560.00")
    # Hebei lists it as class C: 1000.00 all self-paid, in scope 9000.00;
    # (9000 - 1700) x 0.80 = 5840.00
    assert (in_hebei.fulamt_ownpay_amt, in_hebei.inscp_scp_amt) == (D("1000.00"), D("9000.00"))
    assert in_hebei.hifp_pay == D("5840.00")


def test_d_s2_the_insured_places_policy_decides_deductible_and_ratio():
    # The same bill at the same Tianjin hospital for a Beijing-insured employee: Beijing's
    # level-3 deductible 1300.00 and ratio 85 %: (9900 - 1300) x 0.85 = 7310.00;
    # for a Tianjin-insured one: (9900 - 1700) x 0.80 = 6560.00.
    beijing_insured = settle(
        settlement_input(STAY, long_term(), insured_region=BEIJING, treatment_region=TIANJIN),
        catalogue=catalogue(TIANJIN, *BEIJING_CATALOGUE.items.values()),
        policy=policy(BEIJING_POLICY),
    )
    assert split(beijing_insured) == (
        D("10000.00"),
        D("1300.00"),
        D("7310.00"),
        D("2690.00"),
    )
    assert any("policy of 110000" in step.detail for step in beijing_insured.trace)


def test_d_s1_a_filed_person_keeps_the_benefits_at_home():
    # The long-term filer settled in Beijing is paid at home too, on the same policy:
    # DRUG-B at 10.00 stays under Tianjin's cap of 20.00, so the figures are Beijing's.
    at_home = settle(
        settlement_input(STAY, long_term(), treatment_region=TIANJIN),
        catalogue=TIANJIN_CATALOGUE,
        policy=policy(),
    )
    assert split(at_home) == (D("10000.00"), D("1700.00"), D("6560.00"), D("3440.00"))
    assert "D-S1" in rules_of(at_home)


# -- D-S3: manual claims ----------------------------------------------------------------------

CLAIM = bill(
    ("DRUG-B", "10", "25.00"),  # 250.00, above the drug cap of 20.00
    ("CT", "2", "130.00"),  # 260.00, above Tianjin's payment standard of 100.00
    ("LENS", "1", "650.00"),  # 650.00, above the standard of 500.00
    ("X-INVOICE", "1", "80.00"),  # 80.00, not in Tianjin's catalogue
)


def claim_input(lines=CLAIM):
    # Own-initiative outpatient care at a level-2 hospital, filed afterwards (D-F8); this
    # year's outpatient deductible is already used up.
    return settlement_input(
        lines,
        own_initiative(2),
        treatment_region=HEBEI,
        care_type=CareType.GENERAL_OUTPATIENT,
        usage=Usage(D("800.00"), D("0"), 0),
    )


def test_d_s3_a_claim_counts_drugs_at_actual_price_and_caps_services_at_tianjins_standard():
    result = value_manual_claim(
        claim_input(),
        catalogue=TIANJIN_CATALOGUE,
        policy=policy(care_type=CareType.GENERAL_OUTPATIENT, level=2),
    )
    # medfee = 250 + 260 + 650 + 80 = 1240.00
    # DRUG-B at its actual price: no excess; class B 10 % of 250.00 = 25.00
    # CT: 260.00 - 2 x 100.00 = 60.00 over; LENS: 650.00 - 500.00 = 150.00 over
    # X-INVOICE unlisted: 80.00 all self-paid
    assert result.medfee_sumamt == D("1240.00")
    assert (result.fulamt_ownpay_amt, result.overlmt_selfpay, result.preselfpay_amt) == (
        D("80.00"),
        D("210.00"),
        D("25.00"),
    )
    # inscp = 1240 - 80 - 210 - 25 = 925.00; no deductible left;
    # ratio 65 % - 10 points (D-S5) = 55 %: 925 x 0.55 = 508.75; person 1240 - 508.75
    assert split(result) == (D("1240.00"), D("0.00"), D("508.75"), D("731.25"))
    assert {"D-S3", "D-S5"} <= set(rules_of(result))
    assert "D-S2" not in {step.rule for step in result.trace if "line" in step.detail}


def test_d_s3_the_same_lines_settled_directly_cap_the_drug_and_refuse_the_unlisted_item():
    outpatient = policy(care_type=CareType.GENERAL_OUTPATIENT, level=2)
    with pytest.raises(UnknownItem):
        settle(claim_input(), catalogue=TIANJIN_CATALOGUE, policy=outpatient)
    direct = settle(claim_input(CLAIM[:1]), catalogue=TIANJIN_CATALOGUE, policy=outpatient)
    # 250.00 - 10 x 20.00 = 50.00 over the cap; class B 10 % of 200.00 = 20.00
    assert (direct.overlmt_selfpay, direct.preselfpay_amt) == (D("50.00"), D("20.00"))
