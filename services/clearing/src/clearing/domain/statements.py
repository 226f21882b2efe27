"""A clearing statement's life: generated → confirmed by the insured side → confirmed by the
treatment side → paid (DOMAIN.md: monthly clearing with confirmation by both sides).

Each step belongs to one side of the pair. The payment is recorded by the treatment side: the
region that receives the money is the one that can tell it arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from clearing.domain.errors import WrongOrder, WrongSide
from clearing.domain.netting import Figures, InstitutionLine


class StatementStatus(StrEnum):
    GENERATED = "generated"
    CONFIRMED_BY_INSURED = "confirmed_by_insured"
    CONFIRMED_BY_TREATMENT = "confirmed_by_treatment"
    PAID = "paid"


class Side(StrEnum):
    INSURED = "insured"
    TREATMENT = "treatment"


@dataclass(frozen=True)
class Step:
    name: str
    side: Side
    before: StatementStatus
    after: StatementStatus
    stamp: str  # who and when: <stamp>_by, <stamp>_at


INSURED_CONFIRMATION = Step(
    "insured_confirmation",
    Side.INSURED,
    StatementStatus.GENERATED,
    StatementStatus.CONFIRMED_BY_INSURED,
    "insured_confirmed",
)
TREATMENT_CONFIRMATION = Step(
    "treatment_confirmation",
    Side.TREATMENT,
    StatementStatus.CONFIRMED_BY_INSURED,
    StatementStatus.CONFIRMED_BY_TREATMENT,
    "treatment_confirmed",
)
PAYMENT = Step(
    "payment", Side.TREATMENT, StatementStatus.CONFIRMED_BY_TREATMENT, StatementStatus.PAID, "paid"
)


def take_step(
    step: Step,
    *,
    status: StatementStatus,
    actor_region: str | None,
    insured_region: str,
    treatment_region: str,
) -> StatementStatus:
    """The status after ``step``, taken by agency staff of ``actor_region``."""
    region = insured_region if step.side is Side.INSURED else treatment_region
    if actor_region != region:
        raise WrongSide(
            f"The {step.name.replace('_', ' ')} is for agency staff of the {step.side.value} "
            f"region {region}.",
        )
    if status is not step.before:
        raise WrongOrder(
            f"The statement is {status.value}; the {step.name.replace('_', ' ')} follows "
            f"{step.before.value}.",
            field="status",
        )
    return step.after


@dataclass(frozen=True)
class Statement:
    statement_id: str
    run_id: str
    period: str
    insured_region: str
    treatment_region: str
    figures: Figures
    adjustment_count: int
    adjustment_fund_pay_sumamt: Decimal
    status: StatementStatus
    created_at: datetime
    insured_confirmed_by: str | None = None
    insured_confirmed_at: datetime | None = None
    treatment_confirmed_by: str | None = None
    treatment_confirmed_at: datetime | None = None
    paid_by: str | None = None
    paid_at: datetime | None = None
    institutions: tuple[InstitutionLine, ...] = ()

    @property
    def amount_due(self) -> Decimal:
        """Net fund share the insured region pays the treatment region (negative: the reverse)."""
        return self.figures.fund_pay_sumamt

    def involves(self, region: str | None) -> bool:
        return region in (self.insured_region, self.treatment_region)
