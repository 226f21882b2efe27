from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.responses import JSONResponse

from filing.entrypoints.api.schemas import PersonIn, PersonOut
from filing.service_layer import services
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.api.security import CurrentPrincipal, require_roles
from medins_common.auth import Principal, Role
from medins_common.service import RuntimeDep, UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1/persons", tags=["persons"], responses=PROBLEM_RESPONSES)

Registrar = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.ADMIN))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonOut,
    summary="Register an insured person (D-P4)",
)
async def register_person(
    body: PersonIn, runtime: RuntimeDep, principal: Registrar, idempotency: IdempotencyDep
) -> JSONResponse:
    services.ensure_clerk_region(principal, body.insured_region)

    async def register(uow: UnitOfWork) -> PersonOut:
        person = await services.register_person(
            uow,
            **body.model_dump(),
            id_hash_key=runtime.settings.id_hash_key.get_secret_value(),
        )
        return PersonOut.model_validate(person, from_attributes=True)

    return await idempotency.run(body=body, operation=register)


@router.get("/{psn_no}", response_model=PersonOut, summary="One insured person, ID masked")
async def get_person(psn_no: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> PersonOut:
    person = await services.get_person(uow, psn_no=psn_no, principal=principal)
    return PersonOut.model_validate(person, from_attributes=True)
