"""Read-side questions: one referral, a person's referrals, a printout, a verification, and
the agency's statistics."""

from __future__ import annotations

from dataclasses import dataclass

from medins_common.auth import Principal
from medins_common.unit_of_work import UnitOfWork
from referral.adapters import read_model, repository
from referral.domain.errors import ReferralNotIssued
from referral.domain.referral import State
from referral.domain.statistics import MonthlyFigures, month_bounds, monthly_figures, months_between
from referral.domain.verification import normalize
from referral.service_layer import access
from referral.service_layer.services import (
    ReferralView,
    insured_region,
    person_unknown,
    referral_not_found,
    view_of,
)


async def get_referral(uow: UnitOfWork, *, principal: Principal, referral_id: str) -> ReferralView:
    async with uow:
        referral = await repository.get(uow.session, referral_id)
        if referral is None:
            raise referral_not_found(referral_id)
        view = await view_of(uow.session, referral)
        patient = await read_model.patient(uow.session, referral.content.psn_no)
    access.ensure_may_read(principal, referral, insured_region(patient))
    return view


async def printable_referral(
    uow: UnitOfWork, *, principal: Principal, referral_id: str
) -> ReferralView:
    """D-R1: the printable result is of an issued referral only."""
    view = await get_referral(uow, principal=principal, referral_id=referral_id)
    if view.referral.state is not State.ISSUED:
        raise ReferralNotIssued(
            f"Referral {referral_id} is {view.status.value}; only an issued referral is printed."
        )
    return view


async def referrals_of_person(
    uow: UnitOfWork, *, principal: Principal, psn_no: str
) -> list[ReferralView]:
    """The person's referrals this principal may see, oldest first."""
    access.ensure_own(principal, psn_no)
    async with uow:
        patient = await read_model.patient(uow.session, psn_no)
        if patient is None:
            raise person_unknown(psn_no)
        access.ensure_clerk_region(principal, patient.insured_region)
        found = await repository.of_person(uow.session, psn_no)
        visible = [r for r in found if access.may_read(principal, r, patient.insured_region)]
        return [await view_of(uow.session, referral) for referral in visible]


async def verify(uow: UnitOfWork, *, code: str) -> ReferralView | None:
    """The referral a printed code belongs to, if it was ever issued (drafts are not printed)."""
    async with uow:
        referral = await repository.by_verification_code(uow.session, normalize(code))
        if referral is None or not referral.was_issued:
            return None
        return await view_of(uow.session, referral)


@dataclass(frozen=True)
class HospitalMonth:
    figures: MonthlyFigures
    institution_name: str | None


async def statistics(
    uow: UnitOfWork,
    *,
    first_month: str,
    last_month: str,
    institution_code: str | None = None,
) -> list[HospitalMonth]:
    """D-R6: per Tianjin tertiary hospital and month, for the agency's agreement assessment."""
    months = months_between(first_month, last_month)
    start, end = month_bounds(first_month, last_month)
    async with uow:
        hospitals = await read_model.tianjin_tertiary_hospitals(uow.session)
        issued = await repository.issued_tertiary_between(uow.session, start, end)
        revoked = await repository.revoked_tertiary_between(uow.session, start, end)
        rows = monthly_figures(
            hospitals=[h.code for h in hospitals], months=months, issued=issued, revoked=revoked
        )
        if institution_code is not None:
            rows = [row for row in rows if row.institution_code == institution_code]
        names = await read_model.institution_names(
            uow.session, {row.institution_code for row in rows}
        )
    return [HospitalMonth(row, names.get(row.institution_code)) for row in rows]
