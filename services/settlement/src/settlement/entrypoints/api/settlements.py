"""The hospitals' settlement API: the institution always comes from the token, never the body."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import JSONResponse

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.responses import SerialisedJSONResponse
from medins_common.api.security import require_roles
from medins_common.auth import Principal, Role
from medins_common.jsontext import json_text
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork
from settlement.entrypoints.api.deps import (
    Hospital,
    HospitalPosting,
    own_institution,
    settlement_batches,
)
from settlement.entrypoints.api.settlement_schemas import (
    BillOut,
    BillSummaryOut,
    DayOut,
    PreSettlementIn,
    QuoteOut,
    ReversalIn,
    SettlementIn,
    bill_answer,
    national_field_names,
    quote_answer,
)
from settlement.service_layer import settlements

router = APIRouter(prefix="/v1/settlements", tags=["settlements"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, Depends(require_roles(Role.HOSPITAL, Role.ADMIN, Role.AUDITOR))]
SetlId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=60,
        description="The hospital's settlement id",
        examples=["S2026110500001"],
    ),
]
InstitutionQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=30,
        description="Admins and auditors name the institution; a hospital reads its own",
    ),
]


@router.post(
    "/pre",
    response_model=QuoteOut,
    summary="Pre-settlement (2206): what the settlement would come to; writes nothing",
)
async def pre_settle(
    body: PreSettlementIn, uow: UnitOfWorkDep, hospital: Hospital
) -> SerialisedJSONResponse:
    with national_field_names():
        quote = await settlements.pre_settle(
            uow, institution_code=own_institution(hospital), request=body.to_request()
        )
    return SerialisedJSONResponse(json_text(quote_answer(quote)))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BillOut,
    summary="Settle a visit or stay (2207): the fund's and the person's shares, with the trace",
    description="Once per (institution, setl_id): the same body again returns the same bill; "
    "another body under the same setl_id is 409 setl_id_already_settled. An Idempotency-Key "
    "header makes any retry safe.",
)
async def settle(body: SettlementIn, call: HospitalPosting, request: Request) -> JSONResponse:
    idempotency = call.idempotency

    async def operation(uow: UnitOfWork) -> str:
        posting = settlements.Posting(
            institution_code=own_institution(call.principal),
            setl_id=body.setl_id,
            request=body.to_request(),
        )
        with national_field_names():
            # A keyed request's answer is stored in its bill's transaction, so it settles on
            # its own; the others settle together with whatever else is being posted.
            if idempotency.keyed:
                bill = await settlements.settle_bill(uow, posting)
            else:
                bill = await settlement_batches(request).submit(posting)
        return json_text(bill_answer(bill))

    return await idempotency.run(body=body, operation=operation)


@router.post(
    "/{setl_id}/reversal",
    response_model=BillOut,
    summary="Reverse a settlement (2208): gives back what it used; booked in the open period",
)
async def reverse(
    setl_id: SetlId, call: HospitalPosting, body: ReversalIn | None = None
) -> JSONResponse:
    body = body or ReversalIn()

    async def operation(uow: UnitOfWork) -> str:
        bill = await settlements.reverse_bill(
            uow,
            institution_code=own_institution(call.principal),
            setl_id=setl_id,
            reason=body.reason,
        )
        return json_text(bill_answer(bill))

    return await call.idempotency.run(body=body, operation=operation, status_code=200)


@router.get("/{setl_id}", response_model=BillOut, summary="One settlement, with its rule trace")
async def get_settlement(
    setl_id: SetlId, uow: UnitOfWorkDep, reader: Reader, institution_code: InstitutionQuery = None
) -> SerialisedJSONResponse:
    bill = await settlements.get_bill(
        uow,
        institution_code=settlements.institution_of(reader, institution_code),
        setl_id=setl_id,
    )
    return SerialisedJSONResponse(json_text(bill_answer(bill)))


@router.get(
    "",
    response_model=DayOut,
    summary="A day's settlements and reversals of one institution (Asia/Shanghai)",
)
async def settlements_of_day(
    day: Annotated[date, Query(description="YYYY-MM-DD", examples=["2026-11-05"])],
    uow: UnitOfWorkDep,
    reader: Reader,
    institution_code: InstitutionQuery = None,
) -> DayOut:
    institution = settlements.institution_of(reader, institution_code)
    found = await settlements.bills_of_day(uow, institution_code=institution, day=day)
    return DayOut(
        institution_code=institution, day=day, bills=[BillSummaryOut.of(b) for b in found]
    )
