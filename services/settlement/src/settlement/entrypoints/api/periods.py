"""What clearing reconciles against, per clearing period (the settlement ↔ clearing contract).

A settlement counts in the period it was booked in (its settlement month), a reversal in its
own, negatively: the totals are exactly the sums of that period's BillSettled and BillReversed
events.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.money import Money
from medins_common.service import UnitOfWorkDep
from settlement.entrypoints.api.deps import Staff
from settlement.entrypoints.api.reconciliations import TotalsBody
from settlement.service_layer import periods

router = APIRouter(prefix="/v1/periods", tags=["clearing periods"], responses=PROBLEM_RESPONSES)

Period = Annotated[
    str,
    Path(
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="Settlement month, YYYY-MM (Asia/Shanghai)",
        examples=["2026-11"],
    ),
]
RegionQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", examples=["120000"])]


class PairTotalsOut(BaseModel):
    insured_region: str
    treatment_region: str
    settled_count: int
    reversed_count: int
    medfee_sumamt: Money = Field(description="Net: settled minus reversed")
    fund_pay_sumamt: Money
    psn_part_amt: Money
    psn_cash_pay: Money


class PeriodTotalsOut(BaseModel):
    period: str
    pairs: list[PairTotalsOut]


class PeriodBillOut(BaseModel):
    bill_id: str
    kind: Literal["settled", "reversed"]
    institution_code: str
    setl_id: str
    insured_region: str
    treatment_region: str
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    psn_cash_pay: Money
    at: datetime


class PeriodBillsOut(BaseModel):
    period: str
    bills: list[PeriodBillOut]


class HospitalDayOut(BaseModel):
    institution_code: str
    day: date
    declared: TotalsBody
    computed: TotalsBody
    result: Literal["match", "mismatch"]


class HospitalReconciliationsOut(BaseModel):
    period: str
    days: list[HospitalDayOut]


@router.get(
    "/{period}/totals",
    response_model=PeriodTotalsOut,
    summary="Net totals of a period per (insured region, treatment region) pair",
)
async def period_totals(period: Period, uow: UnitOfWorkDep, staff: Staff) -> PeriodTotalsOut:
    pairs = await periods.period_totals(uow, period=period, principal=staff)
    return PeriodTotalsOut(
        period=period,
        pairs=[PairTotalsOut.model_validate(pair, from_attributes=True) for pair in pairs],
    )


@router.get(
    "/{period}/bills",
    response_model=PeriodBillsOut,
    summary="The settlements and reversals that count in a period",
)
async def period_bills(
    period: Period,
    uow: UnitOfWorkDep,
    staff: Staff,
    insured_region: RegionQuery = None,
    treatment_region: RegionQuery = None,
) -> PeriodBillsOut:
    entries = await periods.period_bills(
        uow,
        period=period,
        principal=staff,
        insured_region=insured_region,
        treatment_region=treatment_region,
    )
    return PeriodBillsOut(
        period=period,
        bills=[PeriodBillOut.model_validate(entry, from_attributes=True) for entry in entries],
    )


@router.get(
    "/{period}/hospital-reconciliations",
    response_model=HospitalReconciliationsOut,
    summary="What hospitals declared in their daily reconciliations (3201), and ours",
)
async def hospital_reconciliations(
    period: Period, uow: UnitOfWorkDep, staff: Staff
) -> HospitalReconciliationsOut:
    days = await periods.hospital_reconciliations(uow, period=period, principal=staff)
    return HospitalReconciliationsOut(
        period=period,
        days=[
            HospitalDayOut(
                institution_code=day.institution_code,
                day=day.day,
                declared=TotalsBody.of(day.declared),
                computed=TotalsBody.of(day.computed),
                result=day.result,
            )
            for day in days
        ],
    )
