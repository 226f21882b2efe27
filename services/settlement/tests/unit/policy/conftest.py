"""Worked-example material: small catalogues whose figures the tests can show, the shipped
policies (DOMAIN.md's Tianjin figures), and a builder of settlement inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from settlement.domain.defaults import TIANJIN_POLICY
from settlement.domain.policy import (
    BillLine,
    CareType,
    Catalogue,
    CatalogueItem,
    Coverage,
    ItemClass,
    ItemKind,
    Policy,
    SettlementInput,
    SettlementResult,
    Usage,
)
from settlement.domain.reference_data import PolicyVersion

D = Decimal
TIANJIN, BEIJING, HEBEI = "120000", "110000", "130000"
ON = date(2025, 6, 10)
FRESH = Usage(deductible_used=D("0"), fund_paid=D("0"), admissions=0)

DRUG, SERVICE, MATERIAL = ItemKind.DRUG, ItemKind.SERVICE, ItemKind.MATERIAL
A, B, C = ItemClass.A, ItemClass.B, ItemClass.C


def item(
    code: str, kind: ItemKind, item_class: ItemClass, share: str = "0", cap: str | None = None
):
    return CatalogueItem(
        code=code,
        name=code.lower(),
        kind=kind,
        item_class=item_class,
        self_pay_share=D(share),
        price_cap=None if cap is None else D(cap),
    )


def catalogue(region: str, *items: CatalogueItem) -> Catalogue:
    return Catalogue(
        region=region, effective_from=date(2025, 1, 1), items={i.code: i for i in items}
    )


# The treatment place's catalogue (Beijing) of the worked examples.
BEIJING_CATALOGUE = catalogue(
    BEIJING,
    item("DRUG-A", DRUG, A),  # class A drug, no cap
    item("BED", SERVICE, A, cap="50.00"),  # class A bed fee, capped at 50.00 a day
    item("SURGERY", SERVICE, A),  # class A operation
    item("DRUG-B", DRUG, B, share="0.10"),  # class B drug, 10 % first self-pay
    item("STENT", MATERIAL, B, share="0.30", cap="800.00"),  # class B, 30 %, capped at 800
    item("DRUG-C", DRUG, C),  # class C: all self-paid
)


# Filing situations (Coverage) at a designated institution of a level.
def long_term(level: int | None = 3) -> Coverage:
    return Coverage("filing", "long_term", "retiree_resettled", "none", level, True)


def referral(at: str, level: int | None = 3) -> Coverage:
    return Coverage("filing", "temporary", "referral", at, level, True)  # type: ignore[arg-type]


def own_initiative(level: int | None, designated: bool = True) -> Coverage:
    return Coverage("filing", "temporary", "other_temporary", "none", level, designated)


def deemed(basis: str, level: int | None = 3, designated: bool = True) -> Coverage:
    return Coverage(basis, None, None, "none", level, designated)  # type: ignore[arg-type]


def policy(
    version: PolicyVersion = TIANJIN_POLICY,
    *,
    insutype: str = "310",
    person_type: str = "employee_in_service",
    care_type: CareType = CareType.INPATIENT,
    level: int | None = 3,
) -> Policy:
    found = version.policy_for(
        insutype=insutype, person_type=person_type, care_type=care_type, institution_level=level
    )
    assert found is not None
    return found


def bill(*lines: tuple[str, str, str]) -> tuple[BillLine, ...]:
    """Lines as (item code, quantity, unit price)."""
    return tuple(BillLine(code, D(qty), D(price)) for code, qty, price in lines)


def settlement_input(
    lines: tuple[BillLine, ...],
    coverage: Coverage,
    *,
    insured_region: str = TIANJIN,
    treatment_region: str = BEIJING,
    insutype: str = "310",
    person_type: str = "employee_in_service",
    care_type: CareType = CareType.INPATIENT,
    usage: Usage = FRESH,
    chronic_disease: str | None = None,
) -> SettlementInput:
    return SettlementInput(
        insured_region=insured_region,
        treatment_region=treatment_region,
        insutype=insutype,
        person_type=person_type,
        care_type=care_type,
        on=ON,
        lines=lines,
        coverage=coverage,
        usage=usage,
        chronic_disease=chronic_disease,
    )


def split(result: SettlementResult) -> tuple[Decimal, ...]:
    """The figures a worked example states: medfee, deductible, fund, person."""
    return (result.medfee_sumamt, result.act_pay_dedc, result.hifp_pay, result.psn_part_amt)


def rules_of(result: SettlementResult) -> list[str]:
    return [step.rule for step in result.trace]
