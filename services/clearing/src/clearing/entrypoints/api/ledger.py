"""The ledger's own checks, for admins and auditors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clearing.adapters import ledger
from clearing.entrypoints.api.deps import Overseer
from clearing.entrypoints.api.schemas import ParkedEventOut, TrialBalanceOut, TrialBalanceRowOut
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.service import UnitOfWorkDep

router = APIRouter(prefix="/v1/ledger", tags=["ledger"], responses=PROBLEM_RESPONSES)

PeriodQuery = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]


@router.get(
    "/trial-balance",
    response_model=TrialBalanceOut,
    summary="Debits and credits per period and region pair, from the ledger lines",
)
async def trial_balance(
    uow: UnitOfWorkDep, _overseer: Overseer, period: PeriodQuery = None
) -> TrialBalanceOut:
    async with uow:
        rows = await ledger.trial_balance(uow.session, period=period)
    return TrialBalanceOut(
        balanced=all(row.balanced for row in rows),
        rows=[
            TrialBalanceRowOut(
                period=row.period,
                insured_region=row.insured_region,
                treatment_region=row.treatment_region,
                debits=row.debits,
                credits=row.credits,
                balanced=row.balanced,
            )
            for row in rows
        ],
    )


@router.get(
    "/parked-events",
    response_model=list[ParkedEventOut],
    summary="Bill events that could not be posted, with the reason (never half-posted)",
)
async def parked_events(
    uow: UnitOfWorkDep, _overseer: Overseer, period: PeriodQuery = None
) -> list[ParkedEventOut]:
    async with uow:
        rows = await ledger.parked(uow.session, period=period)
    return [ParkedEventOut.model_validate(row, from_attributes=True) for row in rows]
