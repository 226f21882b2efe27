"""Advance funds 预付金 per region pair: admins record payments and adjustments; both regions'
agencies, auditors and admins read the balance, the warning flag and the suggested advance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from fastapi.responses import JSONResponse

from clearing.config import ClearingSettings
from clearing.domain.advance import AdvanceFund
from clearing.entrypoints.api.deps import Admin, Reader, Settings
from clearing.entrypoints.api.schemas import AdvanceFundOut, MovementIn
from clearing.service_layer import advance_funds
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1/advance-funds", tags=["advance funds"], responses=PROBLEM_RESPONSES)

Region = Annotated[str, Path(pattern=r"^\d{6}$", examples=["120000"])]


@router.get(
    "",
    response_model=list[AdvanceFundOut],
    summary="Every pair's advance fund (agency staff: the pairs of their region)",
)
async def list_funds(
    uow: UnitOfWorkDep, reader: Reader, settings: Settings
) -> list[AdvanceFundOut]:
    funds = await advance_funds.advance_funds(uow, principal=reader, settings=settings)
    return [_out(fund, settings) for fund in funds]


@router.get(
    "/{insured_region}/{treatment_region}",
    response_model=AdvanceFundOut,
    summary="One pair's advance fund: what is left, the warning flag, the suggested next advance",
)
async def get_fund(
    insured_region: Region,
    treatment_region: Region,
    uow: UnitOfWorkDep,
    reader: Reader,
    settings: Settings,
) -> AdvanceFundOut:
    fund, movements = await advance_funds.advance_fund(
        uow,
        insured_region=insured_region,
        treatment_region=treatment_region,
        principal=reader,
        settings=settings,
    )
    return _out(fund, settings, movements)


@router.post(
    "/{insured_region}/{treatment_region}/movements",
    status_code=status.HTTP_201_CREATED,
    response_model=AdvanceFundOut,
    summary="Record an advance payment or adjustment for a pair (admin)",
)
async def record_movement(
    insured_region: Region,
    treatment_region: Region,
    body: MovementIn,
    admin: Admin,
    idempotency: IdempotencyDep,
    settings: Settings,
) -> JSONResponse:
    async def record(uow: UnitOfWork) -> AdvanceFundOut:
        fund = await advance_funds.record_movement(
            uow,
            insured_region=insured_region,
            treatment_region=treatment_region,
            kind=body.kind,
            amount=body.amount,
            reason=body.reason,
            principal=admin,
            settings=settings,
        )
        return _out(fund, settings)

    return await idempotency.run(body=body, operation=record)


def _out(
    fund: AdvanceFund, settings: ClearingSettings, movements: Sequence[Any] = ()
) -> AdvanceFundOut:
    return AdvanceFundOut.of(
        fund,
        warning_share=settings.advance_warning_share,
        cover_months=settings.advance_cover_months,
        movements=movements,
    )
