"""Daily reconciliation with hospitals: totals (3201), then on mismatch the bill detail (3202)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.money import Money
from medins_common.service import UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork
from settlement.domain.reconciliation import DayReconciliation, DayTotals, LedgerEntry
from settlement.entrypoints.api.deps import Hospital, own_institution
from settlement.service_layer import reconciliation

router = APIRouter(
    prefix="/v1/reconciliations", tags=["reconciliation"], responses=PROBLEM_RESPONSES
)

Day = Annotated[
    date, Path(description="The day reconciled (Asia/Shanghai)", examples=["2026-11-05"])
]


class TotalsBody(BaseModel):
    count: int = Field(description="Settlements minus reversals of the day", examples=[3])
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    cash: Money = Field(description="psn_cash_pay of the day")

    def totals(self) -> DayTotals:
        return DayTotals(
            count=self.count,
            medfee_sumamt=self.medfee_sumamt,
            fund_pay_sumamt=self.fund_pay_sumamt,
            cash=self.cash,
        )

    @classmethod
    def of(cls, totals: DayTotals) -> TotalsBody:
        return cls.model_validate(totals, from_attributes=True)


class DailyTotalsIn(TotalsBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "day": "2026-11-05",
                    "count": 3,
                    "medfee_sumamt": "12500.00",
                    "fund_pay_sumamt": "8200.00",
                    "cash": "4300.00",
                }
            ]
        },
    )

    day: date


class DailyReconciliationOut(BaseModel):
    institution_code: str
    day: date
    result: Literal["match", "mismatch"]
    declared: TotalsBody
    computed: TotalsBody
    reconciled_at: datetime

    @classmethod
    def of(cls, found: DayReconciliation) -> DailyReconciliationOut:
        return cls(
            institution_code=found.institution_code,
            day=found.day,
            result=found.result,
            declared=TotalsBody.of(found.declared),
            computed=TotalsBody.of(found.computed),
            reconciled_at=found.reconciled_at,
        )


class HospitalEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    setl_id: Annotated[str, Field(min_length=1, max_length=60)]
    refd_setl_flag: Literal["0", "1"] = Field(
        "0", description="1: the entry is the reversal of setl_id (退费结算标志)"
    )
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    cash: Money

    def entry(self) -> LedgerEntry:
        return LedgerEntry(
            setl_id=self.setl_id,
            reversal=self.refd_setl_flag == "1",
            medfee_sumamt=self.medfee_sumamt,
            fund_pay_sumamt=self.fund_pay_sumamt,
            cash=self.cash,
        )


class DayBillsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "bills": [
                        {
                            "setl_id": "S2026110500001",
                            "refd_setl_flag": "0",
                            "medfee_sumamt": "5000.00",
                            "fund_pay_sumamt": "2640.00",
                            "cash": "2360.00",
                        }
                    ]
                }
            ]
        },
    )

    bills: list[HospitalEntryIn] = Field(max_length=100_000)


class FieldDifferenceOut(BaseModel):
    field: str
    hospital: Money
    ours: Money


class EntryDifferenceOut(BaseModel):
    setl_id: str
    refd_setl_flag: Literal["0", "1"]
    kind: Literal["missing_on_our_side", "missing_on_hospital_side", "amounts_differ"]
    fields: list[FieldDifferenceOut]


class DayComparisonOut(BaseModel):
    institution_code: str
    day: date
    result: Literal["match", "mismatch"]
    hospital: TotalsBody
    computed: TotalsBody
    differences: list[EntryDifferenceOut]


@router.post(
    "/daily",
    response_model=DailyReconciliationOut,
    summary="Reconcile a day's totals (3201): match or mismatch, stored",
)
async def reconcile_day(
    body: DailyTotalsIn, hospital: Hospital, idempotency: IdempotencyDep
) -> JSONResponse:
    async def operation(uow: UnitOfWork) -> DailyReconciliationOut:
        found = await reconciliation.reconcile_day(
            uow,
            institution_code=own_institution(hospital),
            day=body.day,
            declared=body.totals(),
        )
        return DailyReconciliationOut.of(found)

    return await idempotency.run(body=body, operation=operation, status_code=200)


@router.post(
    "/daily/{day}/bills",
    response_model=DayComparisonOut,
    summary="Compare a day's bills (3202): exactly which differ and how; writes nothing",
)
async def compare_day(
    day: Day, body: DayBillsIn, uow: UnitOfWorkDep, hospital: Hospital
) -> DayComparisonOut:
    comparison = await reconciliation.compare_day(
        uow,
        institution_code=own_institution(hospital),
        day=day,
        hospital=[entry.entry() for entry in body.bills],
    )
    return DayComparisonOut(
        institution_code=comparison.institution_code,
        day=comparison.day,
        result=comparison.result,
        hospital=TotalsBody.of(comparison.hospital),
        computed=TotalsBody.of(comparison.computed),
        differences=[
            EntryDifferenceOut(
                setl_id=difference.setl_id,
                refd_setl_flag="1" if difference.reversal else "0",
                kind=difference.kind,
                fields=[
                    FieldDifferenceOut.model_validate(field, from_attributes=True)
                    for field in difference.fields
                ],
            )
            for difference in comparison.differences
        ],
    )
