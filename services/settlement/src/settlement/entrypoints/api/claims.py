"""Manual reimbursement claims through the app (D-F8, D-S3, M3, M4)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.api.security import CurrentPrincipal
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork
from settlement.domain.bill import MED_TYPE_OF, MED_TYPES
from settlement.domain.claims import Claim, ClaimRequest, ClaimStatus, Invoice
from settlement.domain.policy import BillLine
from settlement.entrypoints.api.settlement_schemas import (
    AmountsOut,
    Code,
    CoverageOut,
    LineIn,
    LineOut,
    MedType,
    PsnNo,
    TraceStepOut,
    line_answer,
    national_field_names,
)
from settlement.service_layer import claims

router = APIRouter(prefix="/v1/claims", tags=["manual reimbursement"], responses=PROBLEM_RESPONSES)

ClaimId = Annotated[
    str, Path(min_length=1, max_length=32, examples=["4f0c2b8e9d1a4c6b8e2f3a5d7c9b1e0f"])
]
EXAMPLE = {
    "psn_no": "12000000000000000001",
    "institution_code": "H11010500001",
    "med_type": "21",
    "begndate": "2026-10-08",
    "enddate": "2026-10-15",
    "invoices": [
        {
            "einvoice_no": "11010526000123456789",
            "issued_on": "2026-10-15",
            "lines": [
                {"med_list_codg": "XJ01DDA020", "cnt": "14", "pric": "18.00"},
                {"med_list_codg": "110900001", "cnt": "7", "pric": "60.00"},
            ],
        }
    ],
}


class InvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    einvoice_no: Annotated[
        str, Field(min_length=1, max_length=60, description="电子票据号码: reimbursed once")
    ]
    issued_on: date
    lines: list[LineIn] = Field(min_length=1, max_length=2000)

    def invoice(self) -> Invoice:
        return Invoice(
            einvoice_no=self.einvoice_no,
            issued_on=self.issued_on,
            lines=tuple(BillLine(line.med_list_codg, line.cnt, line.pric) for line in self.lines),
        )


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    psn_no: PsnNo
    institution_code: Annotated[Code, Field(description="Where the self-paid care was given")]
    med_type: MedType
    begndate: date
    enddate: date
    emergency: bool = False
    dise_codg: Annotated[str, Field(min_length=1, max_length=30)] | None = None
    invoices: list[InvoiceIn] = Field(min_length=1, max_length=50)

    def to_request(self) -> ClaimRequest:
        return ClaimRequest(
            psn_no=self.psn_no,
            institution_code=self.institution_code,
            care_type=MED_TYPES[self.med_type],
            begndate=self.begndate,
            enddate=self.enddate,
            invoices=tuple(invoice.invoice() for invoice in self.invoices),
            emergency=self.emergency,
            chronic_disease=self.dise_codg,
        )


class TransitionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "rejected", "reason": "票据与病历不符"}]},
    )

    status: Literal["reviewed", "approved", "rejected", "paid"]
    reason: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        None, description="Required for a rejection; a note otherwise (e.g. the payment ref)"
    )


class InvoiceOut(BaseModel):
    einvoice_no: str
    issued_on: date


class ValuationOut(AmountsOut):
    coverage: CoverageOut
    lines: list[LineOut]
    trace: list[TraceStepOut]


class StepOut(BaseModel):
    status: ClaimStatus
    reason: str | None
    by: str
    at: datetime


class ClaimOut(BaseModel):
    claim_id: str
    psn_no: str
    status: ClaimStatus
    insured_region: str
    treatment_region: str
    institution_code: str
    med_type: str
    begndate: date
    enddate: date
    submitted_at: datetime
    invoices: list[InvoiceOut]
    valuation: ValuationOut = Field(
        description="Under the insured place's catalogue and policy (D-S3); fixed at approval"
    )
    history: list[StepOut]

    @classmethod
    def of(cls, claim: Claim) -> ClaimOut:
        request, valuation = claim.request, claim.valuation
        return cls(
            claim_id=claim.claim_id,
            psn_no=request.psn_no,
            status=claim.status,
            insured_region=claim.insured_region,
            treatment_region=claim.treatment_region,
            institution_code=request.institution_code,
            med_type=MED_TYPE_OF[request.care_type],
            begndate=request.begndate,
            enddate=request.enddate,
            submitted_at=claim.submitted_at,
            invoices=[
                InvoiceOut(einvoice_no=i.einvoice_no, issued_on=i.issued_on)
                for i in request.invoices
            ],
            valuation=ValuationOut(
                **{name: getattr(valuation.amounts, name) for name in AmountsOut.model_fields},
                coverage=CoverageOut.model_validate(valuation.coverage, from_attributes=True),
                lines=[LineOut.model_validate(line_answer(line)) for line in valuation.lines],
                trace=[
                    TraceStepOut.model_validate(step, from_attributes=True)
                    for step in valuation.trace
                ],
            ),
            history=[StepOut.model_validate(step, from_attributes=True) for step in claim.history],
        )


class ClaimsOut(BaseModel):
    claims: list[ClaimOut]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ClaimOut,
    summary="Claim self-paid care with e-invoices (D-F8, M3, M4); valued at once (D-S3)",
)
async def submit_claim(
    body: ClaimIn, principal: CurrentPrincipal, idempotency: IdempotencyDep
) -> JSONResponse:
    async def operation(uow: UnitOfWork) -> ClaimOut:
        with national_field_names():
            claim = await claims.submit_claim(uow, principal=principal, request=body.to_request())
        return ClaimOut.of(claim)

    return await idempotency.run(body=body, operation=operation)


@router.post(
    "/{claim_id}/transitions",
    response_model=ClaimOut,
    summary="Review, approve, reject (with a reason) or pay a claim; agency staff only",
)
async def move_claim(
    claim_id: ClaimId, body: TransitionIn, principal: CurrentPrincipal, idempotency: IdempotencyDep
) -> JSONResponse:
    async def operation(uow: UnitOfWork) -> ClaimOut:
        with national_field_names():
            claim = await claims.move_claim(
                uow,
                principal=principal,
                claim_id=claim_id,
                status=ClaimStatus(body.status),
                reason=body.reason,
            )
        return ClaimOut.of(claim)

    return await idempotency.run(body=body, operation=operation, status_code=200)


@router.get("/{claim_id}", response_model=ClaimOut, summary="One claim, its valuation and steps")
async def get_claim(claim_id: ClaimId, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> ClaimOut:
    return ClaimOut.of(await claims.get_claim(uow, principal=principal, claim_id=claim_id))


@router.get(
    "",
    response_model=ClaimsOut,
    summary="Claims: a person's own, a clerk's region's, or all (admin, auditor)",
)
async def list_claims(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    status: Annotated[ClaimStatus | None, Query(description="Only claims in this status")] = None,
) -> ClaimsOut:
    found = await claims.list_claims(uow, principal=principal, status=status)
    return ClaimsOut(claims=[ClaimOut.of(claim) for claim in found])
