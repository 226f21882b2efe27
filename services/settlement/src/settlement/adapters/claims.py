"""Manual reimbursement claims in and out of the database."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from settlement.adapters import codec
from settlement.adapters.tables import claimed_invoices, manual_claims
from settlement.domain.bill import Amounts
from settlement.domain.claims import Claim, ClaimRequest, ClaimStatus, Invoice, Step, Valuation
from settlement.domain.policy.model import BillLine, CareType, Coverage, Usage


async def add(session: AsyncSession, claim: Claim) -> None:
    """Store a claim and reserve its e-invoices (the primary key refuses one claimed twice)."""
    request = claim.request
    await session.execute(
        insert(claimed_invoices),
        [
            {"einvoice_no": invoice.einvoice_no, "claim_id": claim.claim_id}
            for invoice in request.invoices
        ],
    )
    await session.execute(
        insert(manual_claims).values(
            claim_id=claim.claim_id,
            psn_no=request.psn_no,
            insured_region=claim.insured_region,
            insutype=claim.insutype,
            person_type=claim.person_type,
            institution_code=request.institution_code,
            treatment_region=claim.treatment_region,
            care_type=request.care_type.value,
            begndate=request.begndate,
            enddate=request.enddate,
            emergency=request.emergency,
            chronic_disease=request.chronic_disease,
            invoices=[_invoice_json(invoice) for invoice in request.invoices],
            **_changing(claim),
            submitted_at=claim.submitted_at,
        )
    )


async def save(session: AsyncSession, claim: Claim) -> None:
    await session.execute(
        update(manual_claims)
        .where(manual_claims.c.claim_id == claim.claim_id)
        .values(**_changing(claim))
    )
    if claim.status is ClaimStatus.REJECTED:  # the invoices may be claimed again, corrected
        await session.execute(
            delete(claimed_invoices).where(claimed_invoices.c.claim_id == claim.claim_id)
        )


async def claimed(session: AsyncSession, einvoice_nos: list[str]) -> list[str]:
    found = await session.scalars(
        select(claimed_invoices.c.einvoice_no).where(
            claimed_invoices.c.einvoice_no.in_(einvoice_nos)
        )
    )
    return list(found)


async def get(session: AsyncSession, claim_id: str, *, for_update: bool = False) -> Claim | None:
    query = select(manual_claims).where(manual_claims.c.claim_id == claim_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    return _claim(row) if row else None


async def listed(
    session: AsyncSession,
    *,
    psn_no: str | None = None,
    insured_region: str | None = None,
    status: ClaimStatus | None = None,
) -> list[Claim]:
    query = select(manual_claims).order_by(manual_claims.c.submitted_at)
    if psn_no is not None:
        query = query.where(manual_claims.c.psn_no == psn_no)
    if insured_region is not None:
        query = query.where(manual_claims.c.insured_region == insured_region)
    if status is not None:
        query = query.where(manual_claims.c.status == status.value)
    return [_claim(row) for row in (await session.execute(query)).all()]


def _changing(claim: Claim) -> dict[str, Any]:
    return {
        "valuation": _valuation_json(claim.valuation),
        "status": claim.status.value,
        "history": [
            {
                "status": step.status.value,
                "reason": step.reason,
                "by": step.by,
                "at": step.at.isoformat(),
            }
            for step in claim.history
        ],
        "updated_at": timeutil.now(),
    }


def _invoice_json(invoice: Invoice) -> dict[str, Any]:
    return {
        "einvoice_no": invoice.einvoice_no,
        "issued_on": invoice.issued_on.isoformat(),
        "lines": [
            {"item_code": line.item_code, "qty": str(line.qty), "price": str(line.price)}
            for line in invoice.lines
        ],
    }


def _valuation_json(valuation: Valuation) -> dict[str, Any]:
    return {
        "coverage": asdict(valuation.coverage),
        "amounts": {name: str(value) for name, value in asdict(valuation.amounts).items()},
        "lines": [codec.line_json(line) for line in valuation.lines],
        "trace": [codec.step_json(step) for step in valuation.trace],
        "taken": {name: str(value) for name, value in asdict(valuation.taken).items()},
    }


def _claim(row: Any) -> Claim:
    valuation = row.valuation
    taken = valuation["taken"]
    return Claim(
        claim_id=row.claim_id,
        request=ClaimRequest(
            psn_no=row.psn_no,
            institution_code=row.institution_code,
            care_type=CareType(row.care_type),
            begndate=row.begndate,
            enddate=row.enddate,
            invoices=tuple(
                Invoice(
                    einvoice_no=invoice["einvoice_no"],
                    issued_on=date.fromisoformat(invoice["issued_on"]),
                    lines=tuple(
                        BillLine(line["item_code"], Decimal(line["qty"]), Decimal(line["price"]))
                        for line in invoice["lines"]
                    ),
                )
                for invoice in row.invoices
            ),
            emergency=row.emergency,
            chronic_disease=row.chronic_disease,
        ),
        insured_region=row.insured_region,
        insutype=row.insutype,
        person_type=row.person_type,
        treatment_region=row.treatment_region,
        valuation=Valuation(
            coverage=Coverage(**valuation["coverage"]),
            amounts=Amounts(**{k: Decimal(v) for k, v in valuation["amounts"].items()}),
            lines=tuple(codec.line_of(line) for line in valuation["lines"]),
            trace=tuple(codec.step_of(step) for step in valuation["trace"]),
            taken=Usage(
                deductible_used=Decimal(taken["deductible_used"]),
                fund_paid=Decimal(taken["fund_paid"]),
                admissions=int(taken["admissions"]),
            ),
        ),
        history=tuple(
            Step(
                status=ClaimStatus(step["status"]),
                reason=step["reason"],
                by=step["by"],
                at=datetime.fromisoformat(step["at"]),
            )
            for step in row.history
        ),
    )
