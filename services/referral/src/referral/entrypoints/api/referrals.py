from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import Idempotency, IdempotencyDep
from medins_common.api.security import CurrentPrincipal
from medins_common.auth import Principal
from medins_common.errors import RuleViolation
from medins_common.service import RuntimeDep, UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork
from referral.entrypoints.api.printing import render_referral
from referral.entrypoints.api.schemas import (
    ApprovalIn,
    PsnNo,
    ReferralIn,
    ReferralOut,
    RevocationIn,
    UploadIn,
)
from referral.service_layer import queries, services

router = APIRouter(prefix="/v1/referrals", tags=["referrals"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReferralOut,
    summary="Write a referral: the physician's opinion, as a draft (D-R1–R5)",
    description="A hospital token writes for its own institution. The path decides who may "
    "issue and where the target may lie; every rule is checked now and again on upload.",
)
async def create_referral(
    body: ReferralIn, principal: CurrentPrincipal, runtime: RuntimeDep, idempotency: IdempotencyDep
) -> JSONResponse:
    async def create(uow: UnitOfWork) -> ReferralOut:
        view = await services.create_referral(
            uow,
            principal=principal,
            **body.model_dump(exclude={"physician"}),
            physician_name=body.physician.name,
            physician_title=body.physician.title,
            verification_key=runtime.settings.id_hash_key.get_secret_value(),
        )
        return ReferralOut.of(view)

    return await idempotency.run(body=body, operation=create)


@router.post(
    "/{referral_id}/approval",
    response_model=ReferralOut,
    summary="The department head approves the opinion (D-R1)",
)
async def approve_referral(
    referral_id: str, body: ApprovalIn, principal: CurrentPrincipal, idempotency: IdempotencyDep
) -> JSONResponse:
    return await _step(services.approve_referral, referral_id, body, principal, idempotency)


@router.post(
    "/{referral_id}/upload",
    response_model=ReferralOut,
    summary="The insurance office uploads the approved referral: it is issued (D-R1)",
    description="Publishes ReferralIssued. A long_term_cross_province referral is registered "
    "by a clerk of the patient's insured region instead (D-R3, Art. 18).",
)
async def upload_referral(
    referral_id: str, body: UploadIn, principal: CurrentPrincipal, idempotency: IdempotencyDep
) -> JSONResponse:
    return await _step(services.upload_referral, referral_id, body, principal, idempotency)


@router.post(
    "/{referral_id}/revocation",
    response_model=ReferralOut,
    summary="Revoke a referral before use, or withdraw a draft",
    description="An issued referral publishes ReferralRevoked. A used or expired referral "
    "cannot be revoked. The issuing hospital, a clerk of the patient's region or an admin.",
)
async def revoke_referral(
    referral_id: str, body: RevocationIn, principal: CurrentPrincipal, idempotency: IdempotencyDep
) -> JSONResponse:
    return await _step(services.revoke_referral, referral_id, body, principal, idempotency)


@router.get(
    "",
    response_model=list[ReferralOut],
    summary="A person's referrals",
    description="An insured person their own (psn_no may be left out); a clerk those of people "
    "insured in their region; a hospital those it wrote or that send patients to it.",
)
async def list_referrals(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    psn_no: Annotated[PsnNo | None, Query(description="Whose referrals")] = None,
) -> list[ReferralOut]:
    whose = psn_no or principal.psn_no
    if whose is None:
        raise RuleViolation("Name the person: psn_no.", code="validation_error", field="psn_no")
    views = await queries.referrals_of_person(uow, principal=principal, psn_no=whose)
    return [ReferralOut.of(view) for view in views]


@router.get("/{referral_id}", response_model=ReferralOut, summary="One referral, its steps")
async def get_referral(
    referral_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> ReferralOut:
    return ReferralOut.of(
        await queries.get_referral(uow, principal=principal, referral_id=referral_id)
    )


@router.get(
    "/{referral_id}/print",
    response_class=Response,
    summary="The printable result for the patient, as PDF (D-R1)",
    responses={200: {"content": {"application/pdf": {}}, "description": "The referral, A4"}},
)
async def print_referral(
    referral_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> Response:
    view = await queries.printable_referral(uow, principal=principal, referral_id=referral_id)
    return Response(
        render_referral(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="referral-{referral_id}.pdf"'},
    )


async def _step(
    command: Callable[..., Awaitable[services.ReferralView]],
    referral_id: str,
    body: BaseModel,
    principal: Principal,
    idempotency: Idempotency,
) -> JSONResponse:
    """One workflow step on a referral, retry-safe under an Idempotency-Key."""

    async def run(uow: UnitOfWork) -> ReferralOut:
        view = await command(uow, principal=principal, referral_id=referral_id, **body.model_dump())
        return ReferralOut.of(view)

    return await idempotency.run(body=body, operation=run, status_code=200)
