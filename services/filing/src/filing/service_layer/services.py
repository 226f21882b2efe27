"""Filing use cases: one function per command, each one unit of work."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError

from filing.adapters import repository
from filing.domain.filing import Channel, Filing, Subtype
from filing.domain.person import Insutype, Person, PersonType, check_id_number, mask_id_number
from medins_common.auth import Principal, Role
from medins_common.errors import Conflict, Forbidden, NotFound
from medins_common.events.schemas import FilingCreated, PersonRegistered
from medins_common.sensitive import keyed_hash
from medins_common.unit_of_work import UnitOfWork


async def register_person(
    uow: UnitOfWork,
    *,
    psn_no: str,
    name: str,
    id_no: str,
    insured_region: str,
    insutype: Insutype,
    person_type: PersonType,
    id_hash_key: str,
) -> Person:
    id_no = check_id_number(id_no)
    person = Person(
        psn_no=psn_no,
        name=name,
        id_no_masked=mask_id_number(id_no),
        insured_region=insured_region,
        insutype=insutype,
        person_type=person_type,
    )
    id_no_hash = keyed_hash(id_no, key=id_hash_key)
    try:
        async with uow:
            await _refuse_registered(uow, psn_no=psn_no, id_no_hash=id_no_hash)
            await repository.add_person(uow.session, person, id_no_hash=id_no_hash)
            await uow.publish(
                PersonRegistered(
                    psn_no=person.psn_no,
                    name=person.name,
                    insured_region=person.insured_region,
                    insutype=person.insutype.value,
                    person_type=person.person_type.value,
                    status=person.status,
                )
            )
            await uow.commit()
    except IntegrityError:
        # A concurrent registration committed between our check and our insert: answer
        # with the same 409 as if it had come first (instead of a 500).
        async with uow:
            await _refuse_registered(uow, psn_no=psn_no, id_no_hash=id_no_hash)
        raise
    return person


async def _refuse_registered(uow: UnitOfWork, *, psn_no: str, id_no_hash: str) -> None:
    if await repository.get_person(uow.session, psn_no) is not None:
        raise Conflict(
            f"Person {psn_no} is already registered.", code="person_exists", field="psn_no"
        )
    if await repository.person_exists_with_id_hash(uow.session, id_no_hash):
        raise Conflict(
            "A person with this national ID number is already registered.",
            code="id_number_registered",
            field="id_no",
        )


async def get_person(uow: UnitOfWork, *, psn_no: str, principal: Principal) -> Person:
    ensure_may_see_person(principal, psn_no)
    async with uow:
        person = await repository.get_person(uow.session, psn_no)
    if person is None:
        raise NotFound(f"No person {psn_no}.", code="person_not_found", field="psn_no")
    return person


async def create_filing(
    uow: UnitOfWork,
    *,
    principal: Principal,
    psn_no: str,
    subtype: Subtype,
    destination_region: str,
    start_date: date,
    end_date: date | None,
    channel: Channel,
) -> Filing:
    ensure_may_act_for_person(principal, psn_no)
    async with uow:
        person = await repository.get_person(uow.session, psn_no)
        if person is None:
            raise NotFound(f"No person {psn_no}.", code="person_not_found", field="psn_no")
        ensure_clerk_region(principal, person.insured_region)
        filing = Filing(
            filing_id=uuid.uuid4().hex,
            psn_no=psn_no,
            insured_region=person.insured_region,
            subtype=subtype,
            destination_region=destination_region,
            start_date=start_date,
            end_date=end_date,
            channel=channel,
        )
        await repository.add_filing(uow.session, filing)
        await uow.publish(
            FilingCreated(
                filing_id=filing.filing_id,
                psn_no=filing.psn_no,
                insured_region=filing.insured_region,
                filing_class=filing.filing_class.value,
                subtype=filing.subtype.value,
                destination_region=filing.destination_region,
                start_date=filing.start_date,
                end_date=filing.end_date,
                channel=filing.channel.value,
            )
        )
        await uow.commit()
    return filing


async def get_filing(uow: UnitOfWork, *, filing_id: str, principal: Principal) -> Filing:
    async with uow:
        filing = await repository.get_filing(uow.session, filing_id)
        person = filing and await repository.get_person(uow.session, filing.psn_no)
    if filing is None or person is None:
        raise NotFound(f"No filing {filing_id}.", code="filing_not_found")
    ensure_may_see_person(principal, filing.psn_no)
    ensure_clerk_region(principal, person.insured_region)
    return filing


def ensure_may_act_for_person(principal: Principal, psn_no: str) -> None:
    """A person acts only for themself; clerks and admins act on behalf of people."""
    if principal.role is Role.INSURED and principal.psn_no != psn_no:
        raise Forbidden(
            "An insured person may act only on their own records.",
            code="not_own_record",
            field="psn_no",
        )
    if principal.role not in (Role.INSURED, Role.CLERK, Role.ADMIN):
        raise Forbidden(f"A {principal.role.value} token cannot file.", code="forbidden_role")


def ensure_may_see_person(principal: Principal, psn_no: str) -> None:
    if principal.role is Role.INSURED and principal.psn_no != psn_no:
        raise Forbidden(
            "An insured person may see only their own records.",
            code="not_own_record",
            field="psn_no",
        )


def ensure_clerk_region(principal: Principal, insured_region: str) -> None:
    """Agency staff act within their agency: people insured in their region."""
    if principal.role is Role.CLERK and principal.region != insured_region:
        raise Forbidden(
            "Agency staff act only for people insured in their own region.", code="other_agency"
        )
