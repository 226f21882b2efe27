"""Clearing statements: read them (CSV, PDF), confirm them by both sides, record the payment."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from clearing.adapters.documents import statement_csv, statement_pdf
from clearing.domain.statements import (
    INSURED_CONFIRMATION,
    PAYMENT,
    TREATMENT_CONFIRMATION,
    Statement,
    Step,
)
from clearing.entrypoints.api.deps import AgencyStaff, Reader
from clearing.entrypoints.api.schemas import NoBody, StatementOut
from clearing.service_layer import statements
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.auth import Principal
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(
    prefix="/v1/statements", tags=["clearing statements"], responses=PROBLEM_RESPONSES
)


# The document routes come first: "/{statement_id}" would also match "x.csv".
@router.get(
    "/{statement_id}.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "One row per institution, then TOTAL"}
    },
    summary="The statement as CSV (amounts to the fen)",
)
async def statement_as_csv(statement_id: str, uow: UnitOfWorkDep, reader: Reader) -> Response:
    statement = await statements.get_statement(uow, statement_id=statement_id, principal=reader)
    return Response(
        statement_csv(statement),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(statement)}.csv"'},
    )


@router.get(
    "/{statement_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "A printable statement"}},
    summary="The statement as a printable PDF, with a chart of the amounts by institution",
)
async def statement_as_pdf(statement_id: str, uow: UnitOfWorkDep, reader: Reader) -> Response:
    statement = await statements.get_statement(uow, statement_id=statement_id, principal=reader)
    return Response(
        statement_pdf(statement),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(statement)}.pdf"'},
    )


@router.get(
    "/{statement_id}", response_model=StatementOut, summary="One statement, per institution"
)
async def get_statement(statement_id: str, uow: UnitOfWorkDep, reader: Reader) -> StatementOut:
    return StatementOut.of(
        await statements.get_statement(uow, statement_id=statement_id, principal=reader)
    )


async def _step(
    step: Step, statement_id: str, clerk: Principal, idempotency: IdempotencyDep
) -> JSONResponse:
    async def take(uow: UnitOfWork) -> StatementOut:
        return StatementOut.of(
            await statements.take_statement_step(
                uow, statement_id=statement_id, step=step, principal=clerk
            )
        )

    return await idempotency.run(body=NoBody(), operation=take, status_code=200)


@router.post(
    "/{statement_id}/insured-confirmation",
    response_model=StatementOut,
    summary="The insured region's agency confirms the statement (first)",
)
async def confirm_as_insured(
    statement_id: str, clerk: AgencyStaff, idempotency: IdempotencyDep
) -> JSONResponse:
    return await _step(INSURED_CONFIRMATION, statement_id, clerk, idempotency)


@router.post(
    "/{statement_id}/treatment-confirmation",
    response_model=StatementOut,
    summary="The treatment region's agency confirms the statement (after the insured side)",
)
async def confirm_as_treatment(
    statement_id: str, clerk: AgencyStaff, idempotency: IdempotencyDep
) -> JSONResponse:
    return await _step(TREATMENT_CONFIRMATION, statement_id, clerk, idempotency)


@router.post(
    "/{statement_id}/payment",
    response_model=StatementOut,
    summary="The treatment region's agency records the money received: paid (last step)",
    description="Posts the payment in the ledger: the treatment region's receivable settles "
    "and the insured region's advance fund is whole again by the amount paid.",
)
async def record_payment(
    statement_id: str, clerk: AgencyStaff, idempotency: IdempotencyDep
) -> JSONResponse:
    return await _step(PAYMENT, statement_id, clerk, idempotency)


def _file_name(statement: Statement) -> str:
    return f"clearing-{statement.period}-{statement.insured_region}-{statement.treatment_region}"
