"""A hospital's settlement request, what it comes to (a quote), and the bill it becomes.

Field names follow the national interface (psn_no, mdtrt_id, setl_id, med_type, …). The
personal account is not held by this platform, so ``acct_pay`` is zero and the person's
whole share is cash (``psn_cash_pay = psn_part_amt``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from medins_common.money import ZERO
from settlement.domain.errors import AmountsDoNotAddUp, ChronicDiseaseRequired, InvalidDates
from settlement.domain.policy.model import (
    BillLine,
    CareType,
    Coverage,
    LineResult,
    SettlementResult,
    TraceStep,
    Usage,
)

# National medical-type codes (med_type) and the care they are.
MED_TYPES = {
    "11": CareType.GENERAL_OUTPATIENT,  # 普通门诊
    "14": CareType.CHRONIC_OUTPATIENT,  # 门诊慢特病
    "21": CareType.INPATIENT,  # 普通住院
    "41": CareType.PHARMACY_OUTPATIENT,  # 定点药店购药
}
MED_TYPE_OF = {care_type: code for code, care_type in MED_TYPES.items()}
NOTHING_USED = Usage(deductible_used=ZERO, fund_paid=ZERO, admissions=0)


@dataclass(frozen=True)
class SettlementRequest:
    """What a hospital posts: one visit or stay, its lines and its total."""

    psn_no: str
    mdtrt_id: str
    insutype: str
    med_type: str
    begndate: date  # admission (or visit) day
    enddate: date  # discharge (or visit) day: picks the filing, catalogue and policy
    medfee_sumamt: Decimal
    lines: tuple[BillLine, ...]
    emergency: bool = False
    chronic_disease: str | None = None

    @property
    def care_type(self) -> CareType:
        return MED_TYPES[self.med_type]

    def check(self, *, today: date) -> None:
        """The request holds together before anything is priced."""
        if self.enddate < self.begndate:
            raise InvalidDates(
                f"enddate {self.enddate} is before begndate {self.begndate}.", field="enddate"
            )
        if self.enddate > today:
            raise InvalidDates(f"enddate {self.enddate} is after today ({today}).", field="enddate")
        if self.care_type is CareType.CHRONIC_OUTPATIENT and not self.chronic_disease:
            raise ChronicDiseaseRequired(
                "Chronic outpatient care names its disease (D-F9).", field="chronic_disease"
            )
        total = sum((line.amount for line in self.lines), ZERO)
        if total != self.medfee_sumamt:
            raise AmountsDoNotAddUp(
                f"medfee_sumamt {self.medfee_sumamt} is not the sum of the lines ({total}).",
                field="medfee_sumamt",
            )

    def fingerprint(self) -> str:
        """Identifies the request's content: a retry of the same setl_id must carry the same."""
        return hashlib.sha256(repr(self).encode()).hexdigest()


@dataclass(frozen=True)
class AccumulatorKey:
    """Caps and deductibles are kept per person, insurance type, calendar year and benefit."""

    psn_no: str
    insutype: str
    year: int
    care_type: CareType

    @classmethod
    def of(cls, request: SettlementRequest) -> AccumulatorKey:
        return cls(
            psn_no=request.psn_no,
            insutype=request.insutype,
            year=request.enddate.year,
            care_type=request.care_type.benefit,
        )


@dataclass(frozen=True)
class Amounts:
    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal
    act_pay_dedc: Decimal
    hifp_pay: Decimal
    pool_prop_selfpay: Decimal  # the personal ratio above the deductible, e.g. 0.15
    fund_pay_sumamt: Decimal
    psn_part_amt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal

    @classmethod
    def of(cls, result: SettlementResult) -> Amounts:
        return cls(
            medfee_sumamt=result.medfee_sumamt,
            fulamt_ownpay_amt=result.fulamt_ownpay_amt,
            overlmt_selfpay=result.overlmt_selfpay,
            preselfpay_amt=result.preselfpay_amt,
            inscp_scp_amt=result.inscp_scp_amt,
            act_pay_dedc=result.act_pay_dedc,
            hifp_pay=result.hifp_pay,
            pool_prop_selfpay=result.pool_prop_selfpay,
            fund_pay_sumamt=result.fund_pay_sumamt,
            psn_part_amt=result.psn_part_amt,
            acct_pay=ZERO,
            psn_cash_pay=result.psn_part_amt,
        )


def _combine(usage: Usage, other: Usage, sign: int) -> Usage:
    return Usage(
        deductible_used=usage.deductible_used + sign * other.deductible_used,
        fund_paid=usage.fund_paid + sign * other.fund_paid,
        admissions=usage.admissions + sign * other.admissions,
    )


def usage_taken(before: Usage, after: Usage) -> Usage:
    """What one settlement took from an accumulator row."""
    return _combine(after, before, -1)


def with_taken(before: Usage, taken: Usage) -> Usage:
    return _combine(before, taken, +1)


def given_back(current: Usage, taken: Usage) -> Usage:
    """A reversal gives back exactly what its bill took (D-S arithmetic, "a reversal gives
    back what its bill used")."""
    return _combine(current, taken, -1)


@dataclass(frozen=True)
class Quote:
    """What a settlement request comes to at one institution; a pre-settlement answers it."""

    institution_code: str
    request: SettlementRequest
    person_type: str
    insured_region: str
    treatment_region: str
    coverage: Coverage
    amounts: Amounts
    lines: tuple[LineResult, ...]
    trace: tuple[TraceStep, ...]  # coverage, then the engine's steps
    taken: Usage  # from the accumulator
    catalogue_version: str
    policy_version: str

    @property
    def accumulator(self) -> AccumulatorKey:
        return AccumulatorKey.of(self.request)


@dataclass(frozen=True)
class Reversal:
    reversed_at: datetime
    period: str  # the open period it is booked in (an adjustment when its bill's is closed)
    reason: str | None


@dataclass(frozen=True)
class Bill:
    bill_id: str
    setl_id: str
    fingerprint: str
    quote: Quote
    settled_at: datetime
    period: str
    reversal: Reversal | None = None

    @property
    def status(self) -> str:
        return "reversed" if self.reversal else "settled"


def booking_period(period: str, closed: Collection[str]) -> str:
    """The period to book into: the given one, or the first open one after it, since nothing
    is booked into a closed clearing period (DOMAIN.md, "Money between regions")."""
    while period in closed:
        year, month = (int(part) for part in period.split("-"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        period = f"{year:04d}-{month:02d}"
    return period
