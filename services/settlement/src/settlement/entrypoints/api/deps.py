"""Who may call (a hospital acts only for the institution its token names), and the
process's group commit of settlements."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from medins_common.api.idempotency import IdempotentCall, idempotent_call
from medins_common.api.security import require_roles
from medins_common.auth import Principal, Role
from medins_common.group_commit import GroupCommit
from medins_common.service import Runtime
from settlement.domain.bill import Bill
from settlement.service_layer.settlements import Posting, settle_bills

Hospital = Annotated[Principal, Depends(require_roles(Role.HOSPITAL))]
Staff = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.AUDITOR, Role.CLERK))]


def own_institution(hospital: Principal) -> str:
    """The institution comes from the token, never from the body."""
    assert hospital.institution_code is not None  # a hospital token always names one
    return hospital.institution_code


def settlement_batches(request: Request) -> GroupCommit[Posting, Bill]:
    """One group commit for the process, made on first use."""
    state = request.app.state
    if not hasattr(state, "settlement_batches"):
        runtime: Runtime = state.runtime

        async def settle_together(postings: list[Posting]) -> list[Bill | Exception]:
            return list(await settle_bills(runtime.uow(), postings))

        state.settlement_batches = GroupCommit(
            settle_together,
            max_size=runtime.settings.group_commit_max,
            max_concurrent=runtime.settings.group_commit_concurrent,
        )
    return state.settlement_batches


# A hospital's posting, checked and made retry-safe in one dependency (the hot path).
HospitalPosting = Annotated[IdempotentCall, Depends(idempotent_call(Role.HOSPITAL))]
