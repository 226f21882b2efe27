from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from filing.entrypoints.api.schemas import FilingIn, FilingOut
from filing.service_layer import services
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.api.security import CurrentPrincipal
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1/filings", tags=["filings"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FilingOut,
    summary="File for cross-region care (D-F1–F6)",
)
async def create_filing(
    body: FilingIn, principal: CurrentPrincipal, idempotency: IdempotencyDep
) -> JSONResponse:
    async def create(uow: UnitOfWork) -> FilingOut:
        filing = await services.create_filing(uow, principal=principal, **body.model_dump())
        return FilingOut.model_validate(filing)

    return await idempotency.run(body=body, operation=create)


@router.get("/{filing_id}", response_model=FilingOut, summary="One filing")
async def get_filing(filing_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> FilingOut:
    return FilingOut.model_validate(
        await services.get_filing(uow, filing_id=filing_id, principal=principal)
    )
