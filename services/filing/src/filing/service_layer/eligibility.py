"""The eligibility answer for the app and hospitals, like the national benefit check."""

from __future__ import annotations

from datetime import date

from filing.adapters import repository
from filing.domain.eligibility import CareType, Eligibility, assess
from filing.service_layer.institutions import institution_not_found
from filing.service_layer.persons import get_person
from medins_common.auth import Principal, Role
from medins_common.errors import Forbidden
from medins_common.unit_of_work import UnitOfWork


async def check_eligibility(
    uow: UnitOfWork,
    *,
    principal: Principal,
    psn_no: str,
    institution_code: str,
    on: date,
    care_type: CareType,
) -> Eligibility:
    """Whether care on ``on`` at the institution is settled directly (D-F1, D-F10)."""
    if principal.role is Role.HOSPITAL and principal.institution_code != institution_code:
        raise Forbidden(
            "A hospital asks only about care at its own institution.",
            code="other_institution",
            field="institution_code",
        )
    person = await get_person(uow, psn_no=psn_no, principal=principal)
    async with uow:
        institution = await repository.get_institution(uow.session, institution_code)
        if institution is None:
            raise institution_not_found(institution_code, field="institution_code")
        filings = await repository.filings_of(uow.session, psn_no)
        registrations = await repository.registrations_of(uow.session, psn_no)
    return assess(
        person=person,
        institution=institution,
        filings=filings,
        registrations=registrations,
        on=on,
        care_type=care_type,
    )
