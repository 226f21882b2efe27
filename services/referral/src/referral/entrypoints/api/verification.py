from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.service import UnitOfWorkDep
from referral.domain.verification import normalize
from referral.entrypoints.api.schemas import VerificationOut
from referral.service_layer import queries

router = APIRouter(
    prefix="/v1/referrals/verify", tags=["verification"], responses=PROBLEM_RESPONSES
)


@router.get(
    "/{code}",
    response_model=VerificationOut,
    summary="Whether a printed verification code is genuine (public, no token)",
    description="Answers genuine: false for a code no issued referral carries. A genuine code "
    "also shows whether the referral is still valid, expired or revoked.",
)
async def verify_code(
    code: Annotated[
        str,
        Path(
            pattern=r"^[0-9A-Fa-f]{4}(-?[0-9A-Fa-f]{4}){3}$",
            examples=["3F2A-9C41-07BD-E815"],
            description="As printed; dashes optional",
        ),
    ],
    uow: UnitOfWorkDep,
) -> VerificationOut:
    return VerificationOut.of(normalize(code), await queries.verify(uow, code=code))
