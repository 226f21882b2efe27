from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from filing.domain.eligibility import CareType
from filing.entrypoints.api.schemas import EligibilityOut, PsnNo
from filing.service_layer import eligibility as service
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.security import require_roles
from medins_common.auth import Principal, Role
from medins_common.service import UnitOfWorkDep
from medins_common.timeutil import today

router = APIRouter(prefix="/v1/eligibility", tags=["eligibility"], responses=PROBLEM_RESPONSES)

Asker = Annotated[
    Principal, Depends(require_roles(Role.INSURED, Role.CLERK, Role.HOSPITAL, Role.ADMIN))
]


@router.get(
    "",
    response_model=EligibilityOut,
    summary="Whether care is settled directly, and under which filing or deemed rule",
    description="Like the national benefit check: for a person, an institution, a day and a "
    "care type, the basis (a filing, or a deemed filing for emergencies and Beijing–Tianjin–"
    "Hebei care, D-F10) or every reason it does not apply. A person asks for themself, a "
    "hospital for care at its own institution, a clerk for people of their region.",
)
async def check_eligibility(
    psn_no: Annotated[PsnNo, Query()],
    institution_code: Annotated[str, Query(examples=["H11010500001"])],
    care_type: Annotated[CareType, Query()],
    uow: UnitOfWorkDep,
    principal: Asker,
    on: Annotated[
        date | None,
        Query(description="Day of care (Asia/Shanghai); today if omitted", examples=["2026-12-05"]),
    ] = None,
) -> EligibilityOut:
    day = on or today()
    answer = await service.check_eligibility(
        uow,
        principal=principal,
        psn_no=psn_no,
        institution_code=institution_code,
        on=day,
        care_type=care_type,
    )
    return EligibilityOut(
        psn_no=psn_no,
        institution_code=institution_code,
        on=day,
        care_type=care_type,
        **asdict(answer),
    )
