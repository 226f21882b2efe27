from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from filing.domain.institution import NetworkedService
from filing.entrypoints.api.bulk import import_request_body, parse_rows, read_import
from filing.entrypoints.api.schemas import (
    INSTITUTION_EXAMPLE,
    ImportResultOut,
    InstitutionIn,
    InstitutionOut,
    RegionCode,
)
from filing.service_layer import institutions as service
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.api.security import require_roles
from medins_common.auth import Principal, Role
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1/institutions", tags=["institutions"], responses=PROBLEM_RESPONSES)

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]

_CSV_EXAMPLE = (
    "code,name,region,kind,level,designated,networked_services,consortium_id,"
    "jjj_mutual_recognition\n"
    "H11010500001,北京朝阳医院,110105,hospital,3,true,inpatient;general_outpatient,,true\n"
    "P11010500007,朝阳大药房,110105,pharmacy,,true,pharmacy,,false\n"
)


@router.post(
    "/import",
    response_model=ImportResultOut,
    summary="Import designated institutions in bulk, all or nothing (admin; JSON or CSV)",
    description="Inserts new institutions and updates changed ones; an InstitutionUpserted "
    "event for every row that changes the directory. Any bad row rejects the whole import "
    "(422 `import_rejected`, every bad row by CSV `line` or JSON `index`). In CSV, "
    "`networked_services` are separated by `;`.",
    openapi_extra=import_request_body(
        InstitutionIn, json_example=INSTITUTION_EXAMPLE, csv_example=_CSV_EXAMPLE
    ),
)
async def import_institutions(
    request: Request, _admin: Admin, idempotency: IdempotencyDep
) -> JSONResponse:
    body = await read_import(request)
    rows, problems = parse_rows(body, InstitutionIn)

    async def import_all(uow: UnitOfWork) -> ImportResultOut:
        result = await service.import_institutions(uow, rows=rows, problems=problems)
        return ImportResultOut.model_validate(result)

    return await idempotency.run(body=body, operation=import_all, status_code=200)


@router.get(
    "",
    response_model=list[InstitutionOut],
    summary="Networked institutions of a region, by service (D-F12; public, no token)",
    description="A province finds the institutions of all its cities; a city those of its "
    "districts.",
)
async def find_institutions(
    region: Annotated[RegionCode, Query(description="Province, city or district code")],
    uow: UnitOfWorkDep,
    service_: Annotated[
        NetworkedService | None,
        Query(alias="service", description="Only institutions networked for this service"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, examples=[100])] = 100,
    offset: Annotated[int, Query(ge=0, examples=[0])] = 0,
) -> list[InstitutionOut]:
    found = await service.find_networked(
        uow, region=region, service=service_, limit=limit, offset=offset
    )
    return [InstitutionOut.model_validate(institution) for institution in found]


@router.get("/{code}", response_model=InstitutionOut, summary="One institution (public, no token)")
async def get_institution(code: str, uow: UnitOfWorkDep) -> InstitutionOut:
    return InstitutionOut.model_validate(await service.get_institution(uow, code=code))
