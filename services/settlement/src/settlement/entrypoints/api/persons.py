from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.security import CurrentPrincipal
from medins_common.service import UnitOfWorkDep
from medins_common.timeutil import today
from settlement.service_layer import queries

router = APIRouter(prefix="/v1/persons", tags=["eligibility"], responses=PROBLEM_RESPONSES)


class FilingOut(BaseModel):
    filing_id: str
    filing_class: str
    subtype: str
    destination_region: str
    start_date: date
    end_date: date | None


class FilingStatusOut(BaseModel):
    psn_no: str
    insured_region: str
    on: date
    filed: bool
    filings: list[FilingOut]


@router.get(
    "/{psn_no}/filing-status",
    response_model=FilingStatusOut,
    summary="Whether the person holds a filing in force on a day (D-F1)",
)
async def filing_status(
    psn_no: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    on: Annotated[
        date | None, Query(description="Day to check (Asia/Shanghai); today if omitted")
    ] = None,
) -> FilingStatusOut:
    status = await queries.filing_status(uow, psn_no=psn_no, on=on or today(), principal=principal)
    return FilingStatusOut.model_validate(status, from_attributes=True)
