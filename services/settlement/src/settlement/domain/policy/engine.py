"""The policy engine: values a bill line by line and splits it between fund and person.

DOMAIN.md "Settlement arithmetic", D-S1–D-S5, D-F10. Pure: the caller loads the catalogue,
the policy and the person's usage, and persists the result with its trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medins_common.money import to_fen
from settlement.domain.policy.errors import (
    ChronicDiseaseNotCovered,
    FundPaysNothing,
    InstitutionNotDesignated,
    UnknownItem,
)
from settlement.domain.policy.model import (
    ZERO,
    BillLine,
    CareType,
    Catalogue,
    CatalogueItem,
    Coverage,
    ItemClass,
    ItemKind,
    LineResult,
    Policy,
    SettlementInput,
    SettlementResult,
    TraceStep,
    Usage,
)

ONE = Decimal(1)
RETIREE = "employee_retired"
OWN_INITIATIVE_LEVELS = (2, 3)  # D-S5, Art. 7 (3), Art. 26


@dataclass(frozen=True)
class _Pricing:
    """How bill lines are valued: at the treatment place on direct settlement (D-S2), or
    under the insured place's catalogue for a manual claim (D-S3)."""

    rule: str
    capped_kinds: frozenset[ItemKind]
    unlisted_self_paid: bool  # a claim's e-invoice may hold anything; a hospital's codes not


DIRECT_SETTLEMENT = _Pricing(
    rule="D-S2", capped_kinds=frozenset(ItemKind), unlisted_self_paid=False
)
# Art. 24: drugs at actual price, services (and, by our choice, materials) capped at the
# payment standard.
MANUAL_CLAIM = _Pricing(
    rule="D-S3",
    capped_kinds=frozenset({ItemKind.SERVICE, ItemKind.MATERIAL}),
    unlisted_self_paid=True,
)


def settle(inp: SettlementInput, *, catalogue: Catalogue, policy: Policy) -> SettlementResult:
    """Direct settlement: the treatment place's catalogue, the insured place's policy (D-S2)."""
    return _settle(inp, catalogue=catalogue, policy=policy, pricing=DIRECT_SETTLEMENT)


def value_manual_claim(
    inp: SettlementInput, *, catalogue: Catalogue, policy: Policy
) -> SettlementResult:
    """A manual claim after self-paid care (D-S3, Art. 24): pass the insured place's
    (Tianjin's) catalogue. Drugs count at their actual price, services and materials at most
    at the catalogue's payment standard; lines it does not list are self-paid. The coverage
    still decides the penalty points (D-S4, D-S5)."""
    return _settle(inp, catalogue=catalogue, policy=policy, pricing=MANUAL_CLAIM)


def _settle(
    inp: SettlementInput, *, catalogue: Catalogue, policy: Policy, pricing: _Pricing
) -> SettlementResult:
    _check_chronic_disease(inp, policy)
    increase, coverage_step = _personal_share_increase(inp.coverage, policy)
    trace = [_sources_step(inp, catalogue, policy, pricing)]
    if inp.treatment_region == inp.insured_region:
        trace.append(
            TraceStep("D-S1", "treated at home: a filed person keeps the insured place's benefits")
        )
    lines = tuple(
        _value_line(index, line, catalogue.item(line.item_code), pricing, trace)
        for index, line in enumerate(inp.lines)
    )
    medfee = sum((line.amount for line in lines), ZERO)
    fulamt = sum((line.fulamt_ownpay_amt for line in lines), ZERO)
    overlmt = sum((line.overlmt_selfpay for line in lines), ZERO)
    preselfpay = sum((line.preselfpay_amt for line in lines), ZERO)
    inscp = medfee - fulamt - overlmt - preselfpay
    trace += [
        TraceStep(pricing.rule, "medfee_sumamt: sum of the line amounts", medfee),
        TraceStep(pricing.rule, "fulamt_ownpay_amt: class C and unlisted lines", fulamt),
        TraceStep(pricing.rule, "overlmt_selfpay: excess over price caps", overlmt),
        TraceStep(pricing.rule, "preselfpay_amt: first self-pay shares of class B", preselfpay),
        TraceStep(
            pricing.rule,
            f"inscp_scp_amt: {medfee} - {fulamt} - {overlmt} - {preselfpay}",
            inscp,
        ),
    ]

    deductible = _deductible(inp, policy, inscp, trace)
    fund_ratio = _fund_ratio(inp, policy, increase, coverage_step, trace)
    hifp = _fund_share(inp, policy, inscp - deductible, fund_ratio, trace)
    psn_part = medfee - hifp
    trace += [
        TraceStep("D-S2", "fund_pay_sumamt: the pooled fund's payment", hifp),
        TraceStep("D-S2", f"psn_part_amt: {medfee} - {hifp}", psn_part),
    ]
    return SettlementResult(
        medfee_sumamt=medfee,
        fulamt_ownpay_amt=fulamt,
        overlmt_selfpay=overlmt,
        preselfpay_amt=preselfpay,
        inscp_scp_amt=inscp,
        act_pay_dedc=deductible,
        hifp_pay=hifp,
        pool_prop_selfpay=ONE - fund_ratio,
        fund_pay_sumamt=hifp,
        psn_part_amt=psn_part,
        lines=lines,
        trace=tuple(trace),
        usage_after=Usage(
            deductible_used=inp.usage.deductible_used + deductible,
            fund_paid=inp.usage.fund_paid + hifp,
            admissions=inp.usage.admissions + (inp.care_type is CareType.INPATIENT),
        ),
        fund_ratio=fund_ratio,
        catalogue_version=catalogue.version_id,
        policy_version=policy.version_id,
    )


def _check_chronic_disease(inp: SettlementInput, policy: Policy) -> None:
    """D-S2, D-F9: the chronic-disease list is the insured place's."""
    if inp.care_type is not CareType.CHRONIC_OUTPATIENT:
        return
    if inp.chronic_disease not in policy.chronic_diseases:
        raise ChronicDiseaseNotCovered(
            f"Chronic disease {inp.chronic_disease!r} is not on the chronic-outpatient list of "
            f"insured region {inp.insured_region}.",
            field="chronic_disease",
        )


def _personal_share_increase(coverage: Coverage, policy: Policy) -> tuple[Decimal, TraceStep]:
    """The penalty points on the personal share, or a refusal (D-S4, D-S5, D-F10, D-R5)."""
    if coverage.basis == "deemed_emergency":
        return ZERO, TraceStep(
            "D-F10", "deemed filing for an emergency: paid per the rules, no increase", ZERO
        )
    if coverage.subtype == "emergency":
        return ZERO, TraceStep("D-R5", "emergency filer: paid per the rules, no increase", ZERO)
    own_initiative = (
        coverage.basis == "filing"
        and coverage.filing_class != "long_term"
        and coverage.referral == "none"
    )
    if own_initiative:
        return _own_initiative(coverage, policy)
    if not coverage.institution_designated:
        raise InstitutionNotDesignated(
            "Direct settlement is available only at designated institutions (D-F5).",
            field="institution_code",
        )
    if coverage.basis == "deemed_jjj":
        return ZERO, TraceStep(
            "D-F10", "Beijing–Tianjin–Hebei deemed filing (M10): own rules, no increase", ZERO
        )
    if coverage.filing_class == "long_term":
        return ZERO, TraceStep("D-S4", "long-term filer: insured-place ratios, no increase", ZERO)
    if coverage.referral == "jjj_mutual_recognition":
        return ZERO, TraceStep(
            "D-S4",
            "referral to a Beijing–Tianjin–Hebei mutually recognised institution: "
            "the insured place's own rules, no increase",
            ZERO,
        )
    where = coverage.referral.replace("_", " ")
    return policy.referral_share_increase, TraceStep(
        "D-S4",
        f"referral patient at the {where}: personal share "
        f"+{_points(policy.referral_share_increase)} points",
        policy.referral_share_increase,
    )


def _own_initiative(coverage: Coverage, policy: Policy) -> tuple[Decimal, TraceStep]:
    """D-S5 (Art. 26): without a referral, +10 points at a level-2/3 designated institution;
    anywhere else the fund pays nothing."""
    if coverage.institution_designated and coverage.institution_level in OWN_INITIATIVE_LEVELS:
        return policy.own_initiative_share_increase, TraceStep(
            "D-S5",
            f"own-initiative care at a level-{coverage.institution_level} designated "
            f"institution: personal share +{_points(policy.own_initiative_share_increase)} "
            "points",
            policy.own_initiative_share_increase,
        )
    raise FundPaysNothing(
        "Without a referral, the fund pays only at level-2 or level-3 designated institutions "
        "(D-S5, Art. 26); at this one it pays nothing.",
        field="institution_code",
    )


def _sources_step(
    inp: SettlementInput, catalogue: Catalogue, policy: Policy, pricing: _Pricing
) -> TraceStep:
    return TraceStep(
        pricing.rule,
        f"scope from the catalogue of {catalogue.region} in force from "
        f"{catalogue.effective_from}; deductible, ratio and cap from the policy of "
        f"{policy.insured_region} in force from {policy.effective_from} "
        f"({inp.insutype}, {inp.person_type}, {inp.care_type.benefit}, "
        f"level {policy.institution_level or 'any'}) on {inp.on}",
    )


def _value_line(
    index: int,
    line: BillLine,
    item: CatalogueItem | None,
    pricing: _Pricing,
    trace: list[TraceStep],
) -> LineResult:
    amount = line.amount
    label = f"line {index + 1} {line.item_code}: {line.qty} x {line.price} = {amount}"
    if item is None:
        if not pricing.unlisted_self_paid:
            raise UnknownItem(
                f"Item {line.item_code!r} is not in the catalogue in force.",
                field=f"lines[{index}].item_code",
            )
        trace.append(TraceStep(pricing.rule, f"{label}, not listed: all self-paid", amount))
        return _line(line, None, amount, fulamt=amount)
    if item.item_class is ItemClass.C:
        trace.append(TraceStep(pricing.rule, f"{label}, class C: all self-paid", amount))
        return _line(line, item, amount, fulamt=amount)

    excess = ZERO
    if (
        item.price_cap is not None
        and item.kind in pricing.capped_kinds
        and line.price > item.price_cap
    ):
        excess = amount - to_fen(line.qty * item.price_cap)
        trace.append(
            TraceStep(
                pricing.rule,
                f"{label}, above the price cap {item.price_cap}: {amount} - "
                f"{line.qty} x {item.price_cap} self-paid",
                excess,
            )
        )
    preselfpay = ZERO
    if item.item_class is ItemClass.B:
        preselfpay = to_fen((amount - excess) * item.self_pay_share)
        trace.append(
            TraceStep(
                pricing.rule,
                f"{label}, class B: first self-pay {_points(item.self_pay_share)} % "
                f"of {amount - excess}",
                preselfpay,
            )
        )
    if item.item_class is ItemClass.A and not excess:
        trace.append(TraceStep(pricing.rule, f"{label}, class A: in scope", amount))
    return _line(line, item, amount, overlmt=excess, preselfpay=preselfpay)


def _line(
    line: BillLine,
    item: CatalogueItem | None,
    amount: Decimal,
    *,
    fulamt: Decimal = ZERO,
    overlmt: Decimal = ZERO,
    preselfpay: Decimal = ZERO,
) -> LineResult:
    return LineResult(
        item_code=line.item_code,
        name=item.name if item else None,
        kind=item.kind if item else None,
        item_class=item.item_class if item else None,
        qty=line.qty,
        price=line.price,
        amount=amount,
        fulamt_ownpay_amt=fulamt,
        overlmt_selfpay=overlmt,
        preselfpay_amt=preselfpay,
        inscp_scp_amt=amount - fulamt - overlmt - preselfpay,
    )


def _deductible(
    inp: SettlementInput, policy: Policy, inscp: Decimal, trace: list[TraceStep]
) -> Decimal:
    """act_pay_dedc: per admission for inpatients (the year's first the higher), else one
    deductible a calendar year used up across visits."""
    if inp.care_type is CareType.INPATIENT:
        first = inp.usage.admissions == 0
        standard = policy.deductible_first_admission if first else policy.deductible_later_admission
        why = (
            f"{'first' if first else f'admission {inp.usage.admissions + 1} (a later)'} "
            f"admission of {inp.on.year}: deductible {standard}"
        )
        still_open = standard
    else:
        standard = policy.annual_deductible
        still_open = max(standard - inp.usage.deductible_used, ZERO)
        why = (
            f"annual deductible {standard} for {inp.on.year}, {inp.usage.deductible_used} "
            f"used, {still_open} open"
        )
    deductible = to_fen(min(inscp, still_open))
    trace.append(TraceStep("D-S2", f"act_pay_dedc: {why}; min({inscp}, {still_open})", deductible))
    return deductible


def _fund_ratio(
    inp: SettlementInput,
    policy: Policy,
    increase: Decimal,
    coverage_step: TraceStep,
    trace: list[TraceStep],
) -> Decimal:
    """fund ratio = the level's ratio (+ retiree addition) - penalty points, within 0..1."""
    trace.append(
        TraceStep(
            "D-S2",
            f"fund ratio at level {policy.institution_level or 'any'}: "
            f"{_points(policy.fund_ratio)} %",
            policy.fund_ratio,
        )
    )
    ratio = policy.fund_ratio
    if inp.person_type == RETIREE and policy.retiree_addition:
        ratio += policy.retiree_addition
        trace.append(
            TraceStep(
                "D-S2",
                f"retiree addition: +{_points(policy.retiree_addition)} points",
                policy.retiree_addition,
            )
        )
    trace.append(coverage_step)
    ratio = min(max(ratio - increase, ZERO), ONE)
    trace.append(
        TraceStep(
            "D-S2",
            f"fund ratio {_points(ratio)} %, pool_prop_selfpay {_points(ONE - ratio)} %",
            ratio,
        )
    )
    return ratio


def _fund_share(
    inp: SettlementInput,
    policy: Policy,
    above_deductible: Decimal,
    fund_ratio: Decimal,
    trace: list[TraceStep],
) -> Decimal:
    """hifp_pay = min((inscp - deductible) x fund ratio, annual cap still open)."""
    cap_open = max(policy.annual_cap - inp.usage.fund_paid, ZERO)
    share = above_deductible * fund_ratio
    hifp = to_fen(min(share, cap_open))
    capped = " (the annual cap binds)" if cap_open < share else ""
    trace.append(
        TraceStep(
            "D-S2",
            f"hifp_pay: min({above_deductible} x {fund_ratio}, annual cap {policy.annual_cap} "
            f"- {inp.usage.fund_paid} paid = {cap_open}){capped}",
            hifp,
        )
    )
    return hifp


def _points(ratio: Decimal) -> str:
    """0.05 -> "5", 0.075 -> "7.5": ratios in percentage points for the trace."""
    return f"{(ratio * 100).normalize():f}"
