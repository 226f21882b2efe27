from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, status
from fastapi.responses import JSONResponse

from filing.entrypoints.api.schemas import (
    FilingCancelIn,
    FilingChangeIn,
    FilingIn,
    FilingOut,
    FilingVersionOut,
    PsnNo,
)
from filing.service_layer import filings as service
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.api.security import CurrentPrincipal, require_roles
from medins_common.auth import Principal, Role
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1/filings", tags=["filings"], responses=PROBLEM_RESPONSES)

# The person for themself, or agency staff on their behalf.
Filer = Annotated[Principal, Depends(require_roles(Role.INSURED, Role.CLERK, Role.ADMIN))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FilingOut,
    summary="File for cross-region care (D-F1–F7)",
    description="Long-term or temporary, any of the six subtypes, from any channel (D-F3). "
    "Materials by subtype or a commitment letter (D-F2); a start date in the past is a late "
    "filing and needs the admission date (D-F7).",
)
async def create_filing(
    body: FilingIn, principal: Filer, idempotency: IdempotencyDep
) -> JSONResponse:
    async def create(uow: UnitOfWork) -> FilingOut:
        filing = await service.create_filing(uow, principal=principal, **dict(body))
        return FilingOut.model_validate(filing)

    return await idempotency.run(body=body, operation=create)


@router.get("", response_model=list[FilingOut], summary="A person's filings, oldest first")
async def list_filings(
    psn_no: Annotated[PsnNo, Query()], uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[FilingOut]:
    filings = await service.filings_of(uow, psn_no=psn_no, principal=principal)
    return [FilingOut.model_validate(filing) for filing in filings]


@router.get("/{filing_id}", response_model=FilingOut, summary="One filing")
async def get_filing(filing_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> FilingOut:
    return FilingOut.model_validate(
        await service.get_filing(uow, filing_id=filing_id, principal=principal)
    )


@router.patch(
    "/{filing_id}",
    response_model=FilingOut,
    summary="Change a filing's dates or destination (Art. 13); the old version is kept",
)
async def change_filing(
    filing_id: str, body: FilingChangeIn, uow: UnitOfWorkDep, principal: Filer
) -> FilingOut:
    filing = await service.change_filing(
        uow,
        filing_id=filing_id,
        principal=principal,
        start_date=body.start_date,
        end_date=body.end_date,
        clear_end="end_date" in body.model_fields_set and body.end_date is None,
        destination_region=body.destination_region,
        admission_date=body.admission_date,
        reason=body.reason,
    )
    return FilingOut.model_validate(filing)


@router.post(
    "/{filing_id}/cancel",
    response_model=FilingOut,
    summary="Cancel a filing from today on (Art. 13); the days before stay covered",
)
async def cancel_filing(
    filing_id: str,
    principal: Filer,
    idempotency: IdempotencyDep,
    body: Annotated[FilingCancelIn | None, Body()] = None,
) -> JSONResponse:
    cancellation = body or FilingCancelIn()

    async def cancel(uow: UnitOfWork) -> FilingOut:
        filing = await service.cancel_filing(
            uow, filing_id=filing_id, principal=principal, reason=cancellation.reason
        )
        return FilingOut.model_validate(filing)

    return await idempotency.run(body=cancellation, operation=cancel, status_code=200)


@router.get(
    "/{filing_id}/history",
    response_model=list[FilingVersionOut],
    summary="Every version of a filing: created, changed, cancelled",
)
async def filing_history(
    filing_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[FilingVersionOut]:
    versions = await service.filing_history(uow, filing_id=filing_id, principal=principal)
    return [FilingVersionOut.model_validate(version) for version in versions]
