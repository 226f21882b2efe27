from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import JSONResponse

from filing.entrypoints.api.bulk import import_request_body, parse_rows, read_import
from filing.entrypoints.api.schemas import (
    PERSON_EXAMPLE,
    ImportResultOut,
    PersonChangeIn,
    PersonIn,
    PersonOut,
    PersonVersionOut,
)
from filing.service_layer import persons as service
from filing.service_layer.access import actor
from medins_common.access import ensure_clerk_region
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.api.security import CurrentPrincipal, require_roles
from medins_common.auth import Principal, Role
from medins_common.service import RuntimeDep, UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1/persons", tags=["persons"], responses=PROBLEM_RESPONSES)

Registrar = Annotated[Principal, Depends(require_roles(Role.CLERK, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]

_CSV_EXAMPLE = (
    "psn_no,name,id_no,insured_region,insutype,person_type\n"
    "12000000000000000001,张三,11010519491231002X,120000,310,employee_retired\n"
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonOut,
    summary="Register an insured person (D-P4)",
)
async def register_person(
    body: PersonIn, runtime: RuntimeDep, principal: Registrar, idempotency: IdempotencyDep
) -> JSONResponse:
    ensure_clerk_region(principal, body.insured_region)

    async def register(uow: UnitOfWork) -> PersonOut:
        person = await service.register_person(
            uow,
            **body.model_dump(),
            id_hash_key=runtime.settings.id_hash_key.get_secret_value(),
            actor=actor(principal),
        )
        return PersonOut.model_validate(person)

    return await idempotency.run(body=body, operation=register)


@router.post(
    "/import",
    response_model=ImportResultOut,
    summary="Import insured persons in bulk, all or nothing (admin; JSON or CSV)",
    description="Every row is registered, or none: a 422 `import_rejected` lists every bad "
    "row by CSV `line` (the header is line 1) or JSON `index`, with its `field` and `code`. "
    "A row equal to the registered person is left as it is.",
    openapi_extra=import_request_body(
        PersonIn, json_example=PERSON_EXAMPLE, csv_example=_CSV_EXAMPLE
    ),
)
async def import_persons(
    request: Request, runtime: RuntimeDep, principal: Admin, idempotency: IdempotencyDep
) -> JSONResponse:
    body = await read_import(request)
    rows, problems = parse_rows(body, PersonIn)

    async def import_all(uow: UnitOfWork) -> ImportResultOut:
        result = await service.import_persons(
            uow,
            rows=rows,
            problems=problems,
            id_hash_key=runtime.settings.id_hash_key.get_secret_value(),
            actor=actor(principal),
        )
        return ImportResultOut.model_validate(result)

    return await idempotency.run(body=body, operation=import_all, status_code=200)


@router.get("/{psn_no}", response_model=PersonOut, summary="One insured person, ID masked")
async def get_person(psn_no: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> PersonOut:
    person = await service.get_person(uow, psn_no=psn_no, principal=principal)
    return PersonOut.model_validate(person)


@router.patch(
    "/{psn_no}",
    response_model=PersonOut,
    summary="Change an insured person: name, insurance type (D-F11), person type, status",
)
async def change_person(
    psn_no: str, body: PersonChangeIn, uow: UnitOfWorkDep, principal: Registrar
) -> PersonOut:
    person = await service.change_person(
        uow,
        psn_no=psn_no,
        principal=principal,
        changes=body.model_dump(exclude_none=True),
        actor=actor(principal),
    )
    return PersonOut.model_validate(person)


@router.get(
    "/{psn_no}/history",
    response_model=list[PersonVersionOut],
    summary="Every version of the person, from registration on (D-F11)",
)
async def person_history(
    psn_no: str, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> list[PersonVersionOut]:
    versions = await service.person_history(uow, psn_no=psn_no, principal=principal)
    return [PersonVersionOut.model_validate(version) for version in versions]
