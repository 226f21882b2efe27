"""Referral use cases: one function per command, each one unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.auth import Principal
from medins_common.errors import NotFound
from medins_common.events.schemas import ReferralIssued, ReferralRevoked
from medins_common.unit_of_work import UnitOfWork
from referral.adapters import read_model, repository
from referral.domain.referral import Actor, Content, Facts, Path, Patient, Referral, Status
from referral.domain.regions import province_of
from referral.domain.verification import verification_code
from referral.service_layer import access


@dataclass(frozen=True)
class ReferralView:
    """A referral as answered: with its status today and the names behind its codes."""

    referral: Referral
    status: Status
    patient_name: str | None
    institution_names: dict[str, str]


async def create_referral(
    uow: UnitOfWork,
    *,
    principal: Principal,
    path: Path,
    psn_no: str,
    diagnosis_code: str,
    diagnosis_name: str,
    reason: str,
    target_institution: str,
    target_region: str,
    valid_from: date,
    valid_to: date,
    physician_name: str,
    physician_title: str,
    origin_referral_id: str | None = None,
    emergency_admitted_on: date | None = None,
    verification_key: str,
) -> ReferralView:
    """D-R1: the physician's opinion, as a draft of the token's own institution."""
    issuer_code = access.ensure_hospital(principal)
    content = Content(
        path=path,
        psn_no=psn_no,
        diagnosis_code=diagnosis_code,
        diagnosis_name=diagnosis_name,
        reason=reason,
        target_institution=target_institution,
        target_region=target_region,
        valid_from=valid_from,
        valid_to=valid_to,
        origin_referral_id=origin_referral_id,
        emergency_admitted_on=emergency_admitted_on,
    )
    referral_id = uuid.uuid4().hex
    async with uow:
        facts = await _facts(uow.session, content, issuer_code=issuer_code)
        referral = Referral.draft(
            referral_id=referral_id,
            content=content,
            facts=facts,
            actor=_actor(principal),
            physician_name=physician_name,
            physician_title=physician_title,
            at=timeutil.now(),
            verification_code=verification_code(referral_id, key=verification_key),
        )
        await repository.add(uow.session, referral)
        view = await view_of(uow.session, referral)
        await uow.commit()
    return view


async def approve_referral(
    uow: UnitOfWork, *, principal: Principal, referral_id: str, department_head: str
) -> ReferralView:
    """D-R1: the department head approves the opinion."""
    async with uow:
        referral = await _for_step(uow.session, referral_id)
        access.ensure_issuing_hospital(principal, referral)
        referral.approve(
            actor=_actor(principal), department_head=department_head, at=timeutil.now()
        )
        await repository.save_step(uow.session, referral)
        view = await view_of(uow.session, referral)
        await uow.commit()
    return view


async def upload_referral(
    uow: UnitOfWork, *, principal: Principal, referral_id: str, officer: str
) -> ReferralView:
    """D-R1: the insurance office uploads the approved referral, which issues it."""
    async with uow:
        referral = await _for_step(uow.session, referral_id)
        facts = await _facts(
            uow.session, referral.content, issuer_code=referral.issuing_institution
        )
        access.ensure_may_upload(principal, referral, facts.patient.insured_region)
        referral.issue(actor=_actor(principal), officer=officer, facts=facts, at=timeutil.now())
        await repository.save_step(uow.session, referral)
        content = referral.content
        await uow.publish(
            ReferralIssued(
                referral_id=referral.referral_id,
                psn_no=content.psn_no,
                path=content.path.value,
                issuing_institution=referral.issuing_institution,
                target_institution=content.target_institution,
                target_region=content.target_region,
                diagnosis_code=content.diagnosis_code,
                diagnosis_name=content.diagnosis_name,
                valid_from=content.valid_from,
                valid_to=content.valid_to,
                covered_institutions=list(referral.covered_institutions),
                consortium_id=referral.consortium_id,
                origin_referral_id=content.origin_referral_id,
            )
        )
        view = await view_of(uow.session, referral)
        await uow.commit()
    return view


async def revoke_referral(
    uow: UnitOfWork, *, principal: Principal, referral_id: str, officer: str, reason: str
) -> ReferralView:
    """Revoke a referral before use (ReferralRevoked), or withdraw a draft."""
    async with uow:
        referral = await _for_step(uow.session, referral_id)
        patient = await read_model.patient(uow.session, referral.content.psn_no)
        access.ensure_may_revoke(principal, referral, insured_region(patient))
        was_issued = referral.revoke(
            actor=_actor(principal), officer=officer, reason=reason, at=timeutil.now()
        )
        await repository.save_step(uow.session, referral)
        if was_issued:  # a withdrawn draft was never announced
            await uow.publish(
                ReferralRevoked(
                    referral_id=referral.referral_id, psn_no=referral.content.psn_no, reason=reason
                )
            )
        view = await view_of(uow.session, referral)
        await uow.commit()
    return view


async def view_of(session: AsyncSession, referral: Referral) -> ReferralView:
    patient = await read_model.patient(session, referral.content.psn_no)
    codes = {
        referral.issuing_institution,
        referral.content.target_institution,
        *referral.covered_institutions,
    }
    return ReferralView(
        referral=referral,
        status=referral.status(timeutil.today()),
        patient_name=patient.name if patient else None,
        institution_names=await read_model.institution_names(session, codes),
    )


def referral_not_found(referral_id: str) -> NotFound:
    return NotFound(f"No referral {referral_id}.", code="referral_not_found")


def person_unknown(psn_no: str) -> NotFound:
    return NotFound(
        f"Referral knows no person {psn_no} (yet).", code="person_unknown", field="psn_no"
    )


def insured_region(patient: Patient | None) -> str:
    return patient.insured_region if patient else ""


async def _for_step(session: AsyncSession, referral_id: str) -> Referral:
    referral = await repository.get(session, referral_id, lock=True)
    if referral is None:
        raise referral_not_found(referral_id)
    return referral


async def _facts(session: AsyncSession, content: Content, *, issuer_code: str) -> Facts:
    """Everything the rules of the content's path look at, from the read models and referrals."""
    patient = await read_model.patient(session, content.psn_no, lock=True)
    if patient is None:
        raise person_unknown(content.psn_no)
    issuer = await read_model.institution(session, issuer_code)
    target = await read_model.institution(session, content.target_institution)
    long_term = content.path.long_term
    origin_id = content.origin_referral_id
    return Facts(
        patient=patient,
        issuer=issuer,
        target=target,
        filings=await read_model.filings_of(session, content.psn_no) if long_term else (),
        hospitals_of_issuer_province=(
            await read_model.designated_hospitals_of_province(session, province_of(issuer.region))
            if long_term and issuer
            else ()
        ),
        origin=await repository.get(session, origin_id) if origin_id else None,
        referrals_of_patient=await repository.issued_of_person(session, content.psn_no),
        consortium_of_target=await read_model.consortium(
            session, target.consortium_id if target else None
        ),
    )


def _actor(principal: Principal) -> Actor:
    return Actor(subject=principal.subject, role=principal.role.value)
