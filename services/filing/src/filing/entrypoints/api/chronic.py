from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from filing.entrypoints.api.schemas import ChronicChangeIn, ChronicIn, ChronicOut, PsnNo
from filing.service_layer import chronic as service
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.api.security import CurrentPrincipal, require_roles
from medins_common.auth import Principal, Role
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(
    prefix="/v1/chronic-registrations", tags=["chronic diseases"], responses=PROBLEM_RESPONSES
)

Registrant = Annotated[Principal, Depends(require_roles(Role.INSURED, Role.CLERK, Role.ADMIN))]


class _NoBody(BaseModel):
    """A cancellation carries nothing but its Idempotency-Key."""


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ChronicOut,
    summary="Register a chronic disease for a long-term filer (D-F9)",
    description="One of the five national pilot diseases, with up to 2 destination "
    "institutions that have opened chronic direct settlement (a third is refused: "
    "`chronic_institution_limit`).",
)
async def register_chronic(
    body: ChronicIn, principal: Registrant, idempotency: IdempotencyDep
) -> JSONResponse:
    async def register(uow: UnitOfWork) -> ChronicOut:
        registration = await service.register_chronic(
            uow,
            principal=principal,
            psn_no=body.psn_no,
            disease=body.disease_code,
            institution_codes=body.institution_codes,
        )
        return ChronicOut.of(registration)

    return await idempotency.run(body=body, operation=register)


@router.get("", response_model=list[ChronicOut], summary="A person's chronic registrations")
async def list_chronic(
    psn_no: Annotated[PsnNo, Query()], uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[ChronicOut]:
    registrations = await service.chronic_of(uow, psn_no=psn_no, principal=principal)
    return [ChronicOut.of(registration) for registration in registrations]


@router.get("/{registration_id}", response_model=ChronicOut, summary="One chronic registration")
async def get_chronic(
    registration_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ChronicOut:
    return ChronicOut.of(
        await service.get_chronic(uow, registration_id=registration_id, principal=principal)
    )


@router.patch(
    "/{registration_id}",
    response_model=ChronicOut,
    summary="Choose the destination institutions for chronic direct settlement (D-F9, M1)",
)
async def choose_institutions(
    registration_id: str, body: ChronicChangeIn, uow: UnitOfWorkDep, principal: Registrant
) -> ChronicOut:
    registration = await service.choose_chronic_institutions(
        uow,
        registration_id=registration_id,
        principal=principal,
        institution_codes=body.institution_codes,
    )
    return ChronicOut.of(registration)


@router.post(
    "/{registration_id}/cancel",
    response_model=ChronicOut,
    summary="Cancel a chronic registration",
)
async def cancel_chronic(
    registration_id: str, principal: Registrant, idempotency: IdempotencyDep
) -> JSONResponse:
    async def cancel(uow: UnitOfWork) -> ChronicOut:
        registration = await service.cancel_chronic(
            uow, registration_id=registration_id, principal=principal
        )
        return ChronicOut.of(registration)

    return await idempotency.run(body=_NoBody(), operation=cancel, status_code=200)
