"""Admin API of the reference data: dated catalogues per treatment region and policies per
insured region, imported as JSON or CSV (all or nothing); readable by anyone signed in."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import Idempotency, IdempotencyDep
from medins_common.api.security import CurrentPrincipal, require_roles
from medins_common.auth import Principal, Role
from medins_common.errors import ProblemError
from medins_common.service import UnitOfWorkDep
from medins_common.timeutil import today
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters.reference_data import CATALOGUES, POLICIES, VersionTables
from settlement.entrypoints.api.reference_csv import CSV_MEDIA_TYPES, read_rows
from settlement.entrypoints.api.reference_data_schemas import (
    CatalogueItemIn,
    CatalogueVersionIn,
    CatalogueVersionOut,
    ChronicDiseaseIn,
    PolicyCsvParams,
    PolicyRuleIn,
    PolicyVersionIn,
    PolicyVersionOut,
    RegionCode,
    VersionSummaryOut,
)
from settlement.service_layer import reference_data as services

router = APIRouter(prefix="/v1/reference", tags=["reference data"], responses=PROBLEM_RESPONSES)

AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
OnDay = Annotated[date | None, Query(description="Day in force (Asia/Shanghai); today if omitted")]
CATALOGUE_CSV_EXAMPLE = (
    "item_code,name,kind,item_class,self_pay_share,price_cap\n"
    "XA10BAA041,二甲双胍片 0.5g,drug,A,,0.60\n"
    "XJ01DCA010,头孢呋辛酯片 0.25g,drug,B,0.10,\n"
    "111000001,特需病房床位费,service,C,,\n"
)
POLICY_CSV_EXAMPLE = (
    "insutype,person_type,care_type,institution_level,fund_ratio,annual_cap,"
    "deductible_first_admission,deductible_later_admission,annual_deductible,retiree_addition\n"
    "310,employee_in_service,inpatient,3,0.80,350000,1700,500,,\n"
    "310,employee_retired,inpatient,3,0.80,350000,1700,500,,0.05\n"
    "390,resident,general_outpatient,,0.50,4500,,,800,\n"
)


def _csv_body(example: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": example}},
        }
    }


async def _csv_content(request: Request) -> bytes:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in CSV_MEDIA_TYPES:
        raise ProblemError(
            f"Send the file as text/csv (UTF-8), not {media_type or 'nothing'}.",
            code="unsupported_media_type",
            field="Content-Type",
            status=415,
        )
    return await request.body()


# -- catalogues ------------------------------------------------------------------------------


async def _import(
    body: CatalogueVersionIn | PolicyVersionIn,
    admin: Principal,
    idempotency: Idempotency,
    csv_lines: list[int] | None = None,
) -> JSONResponse:
    async def run(uow: UnitOfWork) -> VersionSummaryOut:
        summary = await services.import_version(
            uow, version=body.to_domain(), created_by=admin.subject, csv_lines=csv_lines
        )
        return VersionSummaryOut.of(summary)

    return await idempotency.run(body=body, operation=run)


@router.post(
    "/catalogues",
    status_code=status.HTTP_201_CREATED,
    response_model=VersionSummaryOut,
    summary="Import a treatment region's catalogue from a day on (admin; all or nothing)",
)
async def import_catalogue(
    body: CatalogueVersionIn, admin: AdminDep, idempotency: IdempotencyDep
) -> JSONResponse:
    return await _import(body, admin, idempotency)


@router.post(
    "/catalogues/csv",
    status_code=status.HTTP_201_CREATED,
    response_model=VersionSummaryOut,
    summary="Import a catalogue as CSV, one item a line (admin; problems by line and column)",
    openapi_extra=_csv_body(CATALOGUE_CSV_EXAMPLE),
)
async def import_catalogue_csv(
    request: Request,
    admin: AdminDep,
    idempotency: IdempotencyDep,
    region: Annotated[RegionCode, Query(description="Treatment region")],
    effective_from: Annotated[date, Query(description="First day in force")],
    source: Annotated[str, Query(min_length=1, max_length=500, examples=["津医保发〔2023〕72号"])],
) -> JSONResponse:
    items, lines = read_rows(await _csv_content(request), CatalogueItemIn)
    body = CatalogueVersionIn(
        region=region, effective_from=effective_from, source=source, items=items
    )
    return await _import(body, admin, idempotency, csv_lines=lines)


@router.get(
    "/catalogues",
    response_model=list[VersionSummaryOut],
    summary="Catalogue versions, by region and first day",
)
async def list_catalogues(
    uow: UnitOfWorkDep,
    _principal: CurrentPrincipal,
    region: Annotated[RegionCode | None, Query(description="Only this region's")] = None,
) -> list[VersionSummaryOut]:
    return await _summaries(uow, CATALOGUES, region)


@router.get(
    "/catalogues/in-force",
    response_model=CatalogueVersionOut,
    summary="The catalogue a settlement in the treatment region on a day uses",
)
async def catalogue_in_force(
    uow: UnitOfWorkDep,
    _principal: CurrentPrincipal,
    region: Annotated[
        RegionCode, Query(description="Treatment region (a city falls back to its province)")
    ],
    on: OnDay = None,
    item_code: Annotated[
        list[str] | None, Query(description="Only these items (repeat the parameter)")
    ] = None,
) -> CatalogueVersionOut:
    version = await services.catalogue_in_force(
        uow, region=region, on=on or today(), item_codes=item_code
    )
    return CatalogueVersionOut.of(version)


@router.get(
    "/catalogues/{version_id}",
    response_model=CatalogueVersionOut,
    summary="One catalogue version with its items",
)
async def get_catalogue(
    version_id: str, uow: UnitOfWorkDep, _principal: CurrentPrincipal
) -> CatalogueVersionOut:
    return CatalogueVersionOut.of(await services.get_catalogue(uow, version_id=version_id))


@router.delete(
    "/catalogues/{version_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw a catalogue version before its first day (admin)",
)
async def delete_catalogue(version_id: str, uow: UnitOfWorkDep, _admin: AdminDep) -> Response:
    return await _delete(uow, CATALOGUES, version_id)


# -- policies --------------------------------------------------------------------------------


@router.post(
    "/policies",
    status_code=status.HTTP_201_CREATED,
    response_model=VersionSummaryOut,
    summary="Import an insured region's policy from a day on (admin; all or nothing)",
)
async def import_policy(
    body: PolicyVersionIn, admin: AdminDep, idempotency: IdempotencyDep
) -> JSONResponse:
    return await _import(body, admin, idempotency)


@router.post(
    "/policies/csv",
    status_code=status.HTTP_201_CREATED,
    response_model=VersionSummaryOut,
    summary="Import a policy as CSV, one rule a line (admin; problems by line and column)",
    openapi_extra=_csv_body(POLICY_CSV_EXAMPLE),
)
async def import_policy_csv(
    request: Request,
    admin: AdminDep,
    idempotency: IdempotencyDep,
    params: Annotated[PolicyCsvParams, Query()],
) -> JSONResponse:
    rules, lines = read_rows(await _csv_content(request), PolicyRuleIn)
    body = PolicyVersionIn(
        **params.model_dump(exclude={"chronic_disease"}),
        chronic_diseases=[ChronicDiseaseIn(code=code) for code in params.chronic_disease],
        rules=rules,
    )
    return await _import(body, admin, idempotency, csv_lines=lines)


@router.get(
    "/policies",
    response_model=list[VersionSummaryOut],
    summary="Policy versions, by insured region and first day",
)
async def list_policies(
    uow: UnitOfWorkDep,
    _principal: CurrentPrincipal,
    insured_region: Annotated[RegionCode | None, Query(description="Only this region's")] = None,
) -> list[VersionSummaryOut]:
    return await _summaries(uow, POLICIES, insured_region)


@router.get(
    "/policies/in-force",
    response_model=PolicyVersionOut,
    summary="The policy a settlement for a person insured in the region on a day uses",
)
async def policy_in_force(
    uow: UnitOfWorkDep,
    _principal: CurrentPrincipal,
    insured_region: Annotated[
        RegionCode, Query(description="Insured region (a city falls back to its province)")
    ],
    on: OnDay = None,
) -> PolicyVersionOut:
    version = await services.policy_in_force(uow, insured_region=insured_region, on=on or today())
    return PolicyVersionOut.of(version)


@router.get(
    "/policies/{version_id}",
    response_model=PolicyVersionOut,
    summary="One policy version with its rules and chronic-disease list",
)
async def get_policy(
    version_id: str, uow: UnitOfWorkDep, _principal: CurrentPrincipal
) -> PolicyVersionOut:
    return PolicyVersionOut.of(await services.get_policy(uow, version_id=version_id))


@router.delete(
    "/policies/{version_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw a policy version before its first day (admin)",
)
async def delete_policy(version_id: str, uow: UnitOfWorkDep, _admin: AdminDep) -> Response:
    return await _delete(uow, POLICIES, version_id)


async def _summaries(
    uow: UnitOfWork, tables: VersionTables, region: str | None
) -> list[VersionSummaryOut]:
    summaries = await services.list_versions(uow, tables=tables, region=region)
    return [VersionSummaryOut.of(summary) for summary in summaries]


async def _delete(uow: UnitOfWork, tables: VersionTables, version_id: str) -> Response:
    await services.delete_version(uow, tables=tables, version_id=version_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
