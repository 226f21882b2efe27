"""Manual reimbursement 手工报销 (D-F8, D-S3, M3, M4): a person who paid in full claims at home
with e-invoices; the claim is valued under the insured place's catalogue (drugs at the actual
price, services capped at its payment standard) and policy, with the penalty points that apply.

Status: submitted → reviewed → approved | rejected; approved → paid. A rejection gives its
reason; every step records who took it and when.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from medins_common.errors import Conflict
from settlement.domain.bill import Amounts
from settlement.domain.errors import InvalidDates, InvoiceListedTwice, ReasonRequired
from settlement.domain.policy.model import (
    BillLine,
    CareType,
    Coverage,
    LineResult,
    TraceStep,
    Usage,
)


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


NEXT_STATUSES = {
    ClaimStatus.SUBMITTED: frozenset({ClaimStatus.REVIEWED}),
    ClaimStatus.REVIEWED: frozenset({ClaimStatus.APPROVED, ClaimStatus.REJECTED}),
    ClaimStatus.APPROVED: frozenset({ClaimStatus.PAID}),
    ClaimStatus.REJECTED: frozenset(),
    ClaimStatus.PAID: frozenset(),
}


class InvalidTransition(Conflict):
    code = "invalid_transition"


@dataclass(frozen=True)
class Invoice:
    """One electronic invoice 电子票据 of the self-paid care, line by line."""

    einvoice_no: str
    issued_on: date
    lines: tuple[BillLine, ...]


@dataclass(frozen=True)
class ClaimRequest:
    psn_no: str
    institution_code: str  # where the care was given
    care_type: CareType
    begndate: date
    enddate: date
    invoices: tuple[Invoice, ...]
    emergency: bool = False
    chronic_disease: str | None = None

    @property
    def lines(self) -> tuple[BillLine, ...]:
        return tuple(line for invoice in self.invoices for line in invoice.lines)

    def check(self, *, today: date) -> None:
        if self.enddate < self.begndate or self.enddate > today:
            raise InvalidDates(
                f"The care must end ({self.enddate}) after it began ({self.begndate}) and by "
                f"today ({today}).",
                field="enddate",
            )
        seen: set[str] = set()
        for position, invoice in enumerate(self.invoices):
            if invoice.einvoice_no in seen:
                raise InvoiceListedTwice(
                    f"E-invoice {invoice.einvoice_no} is listed twice.",
                    field=f"invoices[{position}].einvoice_no",
                )
            seen.add(invoice.einvoice_no)


@dataclass(frozen=True)
class Valuation:
    """What the fund pays on the claim, and why."""

    coverage: Coverage
    amounts: Amounts
    lines: tuple[LineResult, ...]
    trace: tuple[TraceStep, ...]
    taken: Usage  # from the accumulator, once approved


@dataclass(frozen=True)
class Step:
    status: ClaimStatus
    reason: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class Claim:
    claim_id: str
    request: ClaimRequest
    insured_region: str
    insutype: str
    person_type: str
    treatment_region: str
    valuation: Valuation
    history: tuple[Step, ...]

    @property
    def status(self) -> ClaimStatus:
        return self.history[-1].status

    @property
    def submitted_at(self) -> datetime:
        return self.history[0].at

    def moved_to(self, status: ClaimStatus, *, reason: str | None, by: str, at: datetime) -> Claim:
        if status not in NEXT_STATUSES[self.status]:
            allowed = ", ".join(sorted(NEXT_STATUSES[self.status])) or "none"
            raise InvalidTransition(
                f"Claim {self.claim_id} is {self.status}: it cannot become {status} "
                f"(next: {allowed}).",
                field="status",
            )
        if status is ClaimStatus.REJECTED and not reason:
            raise ReasonRequired("A rejection gives its reason.", field="reason")
        return replace(self, history=(*self.history, Step(status, reason, by, at)))
