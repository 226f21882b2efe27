"""Chronic/special outpatient disease registrations (D-F9): register, choose institutions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from filing.adapters import repository
from filing.domain.chronic import ChronicDisease, ChronicRegistration, new_registration
from filing.service_layer.access import ensure_may_see_record
from filing.service_layer.persons import get_person, person_to_act_for
from medins_common import timeutil
from medins_common.auth import Principal
from medins_common.errors import Conflict, NotFound
from medins_common.events.schemas import ChronicRegistrationChanged
from medins_common.unit_of_work import UnitOfWork


def _changed_event(registration: ChronicRegistration) -> ChronicRegistrationChanged:
    return ChronicRegistrationChanged(
        registration_id=registration.registration_id,
        psn_no=registration.psn_no,
        filing_id=registration.filing_id,
        disease_code=registration.disease.value,
        disease_name=registration.disease.official_name,
        institution_codes=list(registration.institution_codes),
        status=registration.status.value,
    )


def _already_registered(disease: ChronicDisease) -> Conflict:
    return Conflict(
        f"The person already holds an active {disease.value} registration; change its "
        "institutions instead.",
        code="chronic_registration_exists",
        field="disease_code",
    )


async def register_chronic(
    uow: UnitOfWork,
    *,
    principal: Principal,
    psn_no: str,
    disease: ChronicDisease,
    institution_codes: Sequence[str],
) -> ChronicRegistration:
    try:
        async with uow:
            await person_to_act_for(uow, psn_no=psn_no, principal=principal)
            registrations = await repository.registrations_of(uow.session, psn_no)
            if any(r.is_active and r.disease is disease for r in registrations):
                raise _already_registered(disease)
            registration = new_registration(
                registration_id=uuid.uuid4().hex,
                psn_no=psn_no,
                disease=disease,
                institution_codes=institution_codes,
                filings=await repository.filings_of(uow.session, psn_no),
                found=await repository.institutions_by_code(uow.session, institution_codes),
                today=timeutil.today(),
            )
            await repository.add_registration(uow.session, registration)
            await uow.publish(_changed_event(registration))
            await uow.commit()
    except IntegrityError as exc:  # a concurrent registration of the same disease won
        raise _already_registered(disease) from exc
    return registration


async def _visible_registration(
    uow: UnitOfWork, *, registration_id: str, principal: Principal
) -> ChronicRegistration:
    registration = await repository.get_registration(uow.session, registration_id)
    missing = NotFound(
        f"No chronic registration {registration_id}.",
        code="chronic_registration_not_found",
        field="registration_id",
    )
    person = registration and await repository.get_person(uow.session, registration.psn_no)
    if registration is None or person is None:
        raise missing
    ensure_may_see_record(
        principal, psn_no=person.psn_no, insured_region=person.insured_region, missing=missing
    )
    return registration


async def get_chronic(
    uow: UnitOfWork, *, registration_id: str, principal: Principal
) -> ChronicRegistration:
    async with uow:
        return await _visible_registration(
            uow, registration_id=registration_id, principal=principal
        )


async def chronic_of(
    uow: UnitOfWork, *, psn_no: str, principal: Principal
) -> list[ChronicRegistration]:
    await get_person(uow, psn_no=psn_no, principal=principal)
    async with uow:
        return await repository.registrations_of(uow.session, psn_no)


async def choose_chronic_institutions(
    uow: UnitOfWork,
    *,
    registration_id: str,
    principal: Principal,
    institution_codes: Sequence[str],
) -> ChronicRegistration:
    """D-F9 (M1): the person's choice of up to 2 destination institutions, replaced whole."""
    async with uow:
        registration = await _visible_registration(
            uow, registration_id=registration_id, principal=principal
        )
        await person_to_act_for(uow, psn_no=registration.psn_no, principal=principal)
        filing = await repository.get_filing(uow.session, registration.filing_id)
        assert filing is not None  # a foreign key
        changed = registration.with_institutions(
            institution_codes,
            found=await repository.institutions_by_code(uow.session, institution_codes),
            destination=filing.destination_region,
        )
        if changed == registration:
            return registration
        await repository.save_registration(uow.session, changed)
        await uow.publish(_changed_event(changed))
        await uow.commit()
    return changed


async def cancel_chronic(
    uow: UnitOfWork, *, registration_id: str, principal: Principal
) -> ChronicRegistration:
    async with uow:
        registration = await _visible_registration(
            uow, registration_id=registration_id, principal=principal
        )
        await person_to_act_for(uow, psn_no=registration.psn_no, principal=principal)
        cancelled = registration.cancelled()
        await repository.save_registration(uow.session, cancelled)
        await uow.publish(_changed_event(cancelled))
        await uow.commit()
    return cancelled
