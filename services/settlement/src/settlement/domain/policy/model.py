"""The policy engine's contract: what a settlement needs, and what it answers.

Pure values (no framework). Money is Decimal yuan; ratios are Decimal fractions (0.85 is 85 %).
Scope comes from the treatment place's catalogue, the benefits from the insured place's policy
(DOMAIN.md D-S2, Art. 23).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from medins_common.money import to_fen

ZERO = Decimal("0.00")


class CareType(StrEnum):
    INPATIENT = "inpatient"
    GENERAL_OUTPATIENT = "general_outpatient"
    CHRONIC_OUTPATIENT = "chronic_outpatient"
    PHARMACY_OUTPATIENT = "pharmacy_outpatient"

    @property
    def benefit(self) -> CareType:
        """The benefit the care draws on: a pharmacy purchase is general outpatient care
        (Art. 11), so it shares that policy, deductible and cap. Accumulators and policies are
        keyed by this."""
        return CareType.GENERAL_OUTPATIENT if self is CareType.PHARMACY_OUTPATIENT else self


class ItemKind(StrEnum):
    DRUG = "drug"
    SERVICE = "service"
    MATERIAL = "material"


class ItemClass(StrEnum):
    A = "A"  # 甲类: fully in scope
    B = "B"  # 乙类: a first self-pay share, then in scope
    C = "C"  # 丙类: all self-paid


@dataclass(frozen=True)
class BillLine:
    item_code: str
    qty: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return to_fen(self.qty * self.price)


@dataclass(frozen=True)
class CatalogueItem:
    code: str
    name: str
    kind: ItemKind
    item_class: ItemClass
    self_pay_share: Decimal = ZERO  # class B only: the first self-pay share p
    price_cap: Decimal | None = None  # unit price; above it the excess is self-paid


@dataclass(frozen=True)
class Catalogue:
    """The items of one region's catalogue in force on one day (all, or those a bill needs)."""

    region: str
    effective_from: date
    items: Mapping[str, CatalogueItem]
    version_id: str = ""

    def item(self, code: str) -> CatalogueItem | None:
        return self.items.get(code)


@dataclass(frozen=True)
class Policy:
    """The insured place's benefits for one insutype, person type, benefit care type and
    institution level, as in force on one day.

    Inpatient: every admission has its own deductible, the year's first the higher
    (``deductible_first_admission``), later ones the lower. Outpatient and chronic: one
    ``annual_deductible`` a calendar year. ``fund_ratio`` is the in-service ratio at this
    level; ``retiree_addition`` is added for retirees. The share increases are the penalty
    points of D-S4 (referral, +5) and D-S5 (own initiative, +10).
    """

    insured_region: str
    insutype: str
    person_type: str
    care_type: CareType
    institution_level: int | None  # None: any level this policy lists no own row for
    effective_from: date
    fund_ratio: Decimal
    annual_cap: Decimal
    deductible_first_admission: Decimal = ZERO
    deductible_later_admission: Decimal = ZERO
    annual_deductible: Decimal = ZERO
    retiree_addition: Decimal = ZERO
    referral_share_increase: Decimal = Decimal("0.05")
    own_initiative_share_increase: Decimal = Decimal("0.10")
    chronic_diseases: frozenset[str] = frozenset()
    version_id: str = ""


@dataclass(frozen=True)
class Coverage:
    """How the person is covered at this institution (decided by the caller from read models).

    ``referral``: whether this institution is the receiving institution of the person's
    referral, one in a consortium with it, or a Beijing–Tianjin–Hebei mutually recognised one
    (D-S4); ``none`` otherwise.
    """

    basis: Literal["filing", "deemed_emergency", "deemed_jjj"]
    filing_class: Literal["long_term", "temporary"] | None
    subtype: str | None
    referral: Literal[
        "none", "receiving_institution", "consortium_institution", "jjj_mutual_recognition"
    ]
    institution_level: int | None
    institution_designated: bool


@dataclass(frozen=True)
class Usage:
    """What the person used this calendar year, for this insutype and benefit care type."""

    deductible_used: Decimal
    fund_paid: Decimal
    admissions: int


@dataclass(frozen=True)
class SettlementInput:
    insured_region: str
    treatment_region: str
    insutype: str
    person_type: str
    care_type: CareType
    on: date  # discharge or outpatient date: picks the catalogue and policy in force
    lines: tuple[BillLine, ...]
    coverage: Coverage
    usage: Usage
    chronic_disease: str | None = None


@dataclass(frozen=True)
class TraceStep:
    rule: str  # a DOMAIN.md rule id or arithmetic step, e.g. "D-S5", "deductible"
    detail: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class LineResult:
    item_code: str
    name: str | None  # None for a line the catalogue does not list (manual claims only)
    kind: ItemKind | None
    item_class: ItemClass | None
    qty: Decimal
    price: Decimal
    amount: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal


@dataclass(frozen=True)
class SettlementResult:
    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal
    act_pay_dedc: Decimal
    hifp_pay: Decimal
    pool_prop_selfpay: Decimal  # the personal ratio, e.g. 0.15
    fund_pay_sumamt: Decimal
    psn_part_amt: Decimal
    lines: tuple[LineResult, ...]
    trace: tuple[TraceStep, ...]
    usage_after: Usage
    fund_ratio: Decimal = field(default=ZERO)
    catalogue_version: str = ""
    policy_version: str = ""
