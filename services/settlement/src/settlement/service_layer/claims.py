"""Manual reimbursement claims (D-F8, D-S3, M3, M4).

A claim is valued when it is submitted, so the person sees what to expect, and valued again
when it is approved, under the lock of the person's accumulator row: the approved amount
counts towards the year's deductible and cap like a direct settlement.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.access import ensure_clerk_region
from medins_common.auth import Principal, Role
from medins_common.errors import Conflict, Forbidden, NotFound
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import bills, claims
from settlement.domain.bill import AccumulatorKey, Amounts, with_taken
from settlement.domain.claims import Claim, ClaimRequest, ClaimStatus, Step, Valuation
from settlement.domain.coverage import KnownPerson
from settlement.domain.policy import Usage
from settlement.service_layer import pricing


async def submit_claim(uow: UnitOfWork, *, principal: Principal, request: ClaimRequest) -> Claim:
    _ensure_may_claim_for(principal, request.psn_no)
    request.check(today=timeutil.today())
    try:
        async with uow:
            parties = await _parties(uow.session, request)
            person = parties.person
            ensure_clerk_region(principal, person.insured_region)
            await _refuse_claimed_invoices(uow.session, request)
            usage = await bills.usage(uow.session, _accumulator(person, request))
            valuation, treatment_region = await _value(uow.session, parties, request, usage)
            claim = Claim(
                claim_id=uuid.uuid4().hex,
                request=request,
                insured_region=person.insured_region,
                insutype=person.insutype,
                person_type=person.person_type,
                treatment_region=treatment_region,
                valuation=valuation,
                history=(Step(ClaimStatus.SUBMITTED, None, principal.subject, timeutil.now()),),
            )
            await claims.add(uow.session, claim)
            await uow.commit()
    except IntegrityError:
        # A concurrent claim reserved one of the invoices first: the same 409 as after it.
        async with uow:
            await _refuse_claimed_invoices(uow.session, request)
        raise
    return claim


async def move_claim(
    uow: UnitOfWork,
    *,
    principal: Principal,
    claim_id: str,
    status: ClaimStatus,
    reason: str | None,
) -> Claim:
    """Review, approve, reject or pay: staff of the person's insured region, or an admin."""
    if principal.role not in (Role.CLERK, Role.ADMIN):
        raise Forbidden("Only agency staff decide on claims.", code="forbidden_role")
    async with uow:
        claim = await _get(uow.session, claim_id, principal=principal, for_update=True)
        moved = claim.moved_to(status, reason=reason, by=principal.subject, at=timeutil.now())
        if status is ClaimStatus.APPROVED:
            moved = await _approve(uow.session, moved)
        await claims.save(uow.session, moved)
        await uow.commit()
    return moved


async def get_claim(uow: UnitOfWork, *, principal: Principal, claim_id: str) -> Claim:
    async with uow:
        return await _get(uow.session, claim_id, principal=principal)


async def list_claims(
    uow: UnitOfWork, *, principal: Principal, status: ClaimStatus | None
) -> list[Claim]:
    """A person sees their own claims, a clerk their region's, admins and auditors all."""
    if principal.role is Role.HOSPITAL:
        raise Forbidden("Hospitals do not see manual claims.", code="forbidden_role")
    async with uow:
        return await claims.listed(
            uow.session,
            psn_no=principal.psn_no if principal.role is Role.INSURED else None,
            insured_region=principal.region if principal.role is Role.CLERK else None,
            status=status,
        )


async def _approve(session: AsyncSession, claim: Claim) -> Claim:
    """Value the claim again with the person's usage locked, and count what it takes."""
    parties = await _parties(session, claim.request)
    key = _accumulator(parties.person, claim.request)
    usage = await bills.lock_usage(session, key)
    valuation, _ = await _value(session, parties, claim.request, usage)
    await bills.save_usage(session, key, with_taken(usage, valuation.taken))
    return replace(claim, valuation=valuation)


async def _parties(session: AsyncSession, request: ClaimRequest) -> pricing.Parties:
    return await pricing.parties(
        session,
        psn_no=request.psn_no,
        institution_code=request.institution_code,
        care_type=request.care_type,
    )


async def _value(
    session: AsyncSession, parties: pricing.Parties, request: ClaimRequest, usage: Usage
) -> tuple[Valuation, str]:
    priced = await pricing.price(
        session,
        parties=parties,
        episode=request,
        usage=usage,
        self_paid_claim=True,
    )
    valuation = Valuation(
        coverage=priced.coverage,
        amounts=Amounts.of(priced.result),
        lines=priced.result.lines,
        trace=priced.trace,
        taken=priced.taken,
    )
    return valuation, priced.treatment_region


def _accumulator(person: KnownPerson, request: ClaimRequest) -> AccumulatorKey:
    return AccumulatorKey(
        psn_no=person.psn_no,
        insutype=person.insutype,
        year=request.enddate.year,
        care_type=request.care_type.benefit,
    )


async def _refuse_claimed_invoices(session: AsyncSession, request: ClaimRequest) -> None:
    numbers = [invoice.einvoice_no for invoice in request.invoices]
    taken = set(await claims.claimed(session, numbers))
    for position, number in enumerate(numbers):
        if number in taken:
            raise Conflict(
                f"E-invoice {number} is already part of another claim.",
                code="invoice_already_claimed",
                field=f"invoices[{position}].einvoice_no",
            )


async def _get(
    session: AsyncSession, claim_id: str, *, principal: Principal, for_update: bool = False
) -> Claim:
    claim = await claims.get(session, claim_id, for_update=for_update)
    # Someone else's claim is "not found" for a person, so ids cannot be probed.
    hidden = principal.role is Role.INSURED and claim and claim.request.psn_no != principal.psn_no
    if claim is None or hidden or principal.role is Role.HOSPITAL:
        raise NotFound(f"No claim {claim_id}.", code="claim_not_found", field="claim_id")
    ensure_clerk_region(principal, claim.insured_region)
    return claim


def _ensure_may_claim_for(principal: Principal, psn_no: str) -> None:
    """A person claims for themself; agency staff (a window) and admins on their behalf."""
    if principal.role is Role.INSURED and principal.psn_no != psn_no:
        raise Forbidden(
            "An insured person may claim only for themself.", code="not_own_record", field="psn_no"
        )
    if principal.role not in (Role.INSURED, Role.CLERK, Role.ADMIN):
        raise Forbidden(f"A {principal.role.value} token cannot claim.", code="forbidden_role")
