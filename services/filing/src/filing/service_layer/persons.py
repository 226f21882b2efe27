"""The insured-person registry (D-P4, D-F11): register, import, change, read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError

from filing.adapters import repository
from filing.domain.errors import PersonNotActive, RowProblem
from filing.domain.person import Insutype, Person, PersonType, new_person
from filing.service_layer.access import ensure_may_act_for_person, ensure_may_see_person
from filing.service_layer.bulk import (
    ImportResult,
    ImportRow,
    Position,
    build_rows,
    flag_repeats,
    reject_if_any,
)
from medins_common.access import ensure_clerk_region
from medins_common.auth import Principal
from medins_common.errors import Conflict, NotFound
from medins_common.events.schemas import PersonChanged, PersonRegistered
from medins_common.sensitive import keyed_hash
from medins_common.unit_of_work import UnitOfWork


def person_facts(person: Person) -> dict[str, Any]:
    """What PersonRegistered and PersonChanged say of a person: never the ID number."""
    return {
        "psn_no": person.psn_no,
        "name": person.name,
        "insured_region": person.insured_region,
        "insutype": person.insutype.value,
        "person_type": person.person_type.value,
        "status": person.status.value,
    }


def person_not_found(psn_no: str) -> NotFound:
    return NotFound(f"No person {psn_no}.", code="person_not_found", field="psn_no")


async def person_to_act_for(uow: UnitOfWork, *, psn_no: str, principal: Principal) -> Person:
    """The person a filing or registration is made for, locked, in the principal's reach."""
    ensure_may_act_for_person(principal, psn_no)
    person = await repository.get_person(uow.session, psn_no, lock=True)
    if person is None:
        raise person_not_found(psn_no)
    ensure_clerk_region(principal, person.insured_region)
    if not person.is_active:
        raise PersonNotActive(f"The person's insurance is {person.status.value}.", field="psn_no")
    return person


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
    actor: str,
) -> Person:
    person, id_no = new_person(
        psn_no=psn_no,
        name=name,
        id_no=id_no,
        insured_region=insured_region,
        insutype=insutype,
        person_type=person_type,
    )
    id_no_hash = keyed_hash(id_no, key=id_hash_key)
    try:
        async with uow:
            await _refuse_registered(uow, psn_no=psn_no, id_no_hash=id_no_hash)
            await repository.add_persons(uow.session, [(person, id_no_hash)], actor=actor)
            await uow.publish(PersonRegistered(**person_facts(person)))
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


async def import_persons(
    uow: UnitOfWork,
    *,
    rows: Sequence[ImportRow],
    problems: list[RowProblem],
    id_hash_key: str,
    actor: str,
) -> ImportResult:
    """Register every row or none (D-P4). A row equal to the registered person is left as it
    is, so a file can be sent again; any other row for a registered psn_no or ID number is bad
    (changes go through PATCH)."""
    built = build_rows(rows, new_person, problems)
    candidates = [
        (position, person, keyed_hash(id_no, key=id_hash_key))
        for position, (person, id_no) in built
    ]
    flag_repeats(((pos, p.psn_no) for pos, p, _ in candidates), field="psn_no", problems=problems)
    flag_repeats(((pos, h) for pos, _, h in candidates), field="id_no", problems=problems)
    try:
        async with uow:
            registered = await repository.registered(
                uow.session,
                psn_nos=[person.psn_no for _, person, _ in candidates],
                id_no_hashes=[id_hash for _, _, id_hash in candidates],
            )
            new, unchanged = _against_the_registry(candidates, registered, problems)
            reject_if_any(problems)
            if new:
                await repository.add_persons(uow.session, new, actor=actor)
                await uow.publish(*(PersonRegistered(**person_facts(p)) for p, _ in new))
            await uow.commit()
    except IntegrityError as exc:
        raise Conflict(
            "Some of these persons were registered meanwhile by another request; nothing was "
            "imported. Send the file again to see which rows.",
            code="import_conflict",
        ) from exc
    return ImportResult(created=len(new), updated=0, unchanged=unchanged)


def _against_the_registry(
    candidates: list[tuple[Position, Person, str]],
    registered: list[tuple[Person, str]],
    problems: list[RowProblem],
) -> tuple[list[tuple[Person, str]], int]:
    """The rows to register, and how many equal their registered person; the rest are bad."""
    by_psn_no = {person.psn_no: (person, id_hash) for person, id_hash in registered}
    registered_hashes = {id_hash for _, id_hash in registered}
    new: list[tuple[Person, str]] = []
    unchanged = 0
    for position, person, id_hash in candidates:
        if by_psn_no.get(person.psn_no) == (person, id_hash):
            unchanged += 1
        elif person.psn_no in by_psn_no:
            problems.append(
                RowProblem(
                    position,
                    "psn_no",
                    "person_exists",
                    "Already registered with other data; change it with PATCH "
                    f"/v1/persons/{person.psn_no}.",
                )
            )
        elif id_hash in registered_hashes:
            problems.append(
                RowProblem(
                    position,
                    "id_no",
                    "id_number_registered",
                    "A person with this national ID number is already registered.",
                )
            )
        else:
            new.append((person, id_hash))
    return new, unchanged


async def get_person(uow: UnitOfWork, *, psn_no: str, principal: Principal) -> Person:
    ensure_may_see_person(principal, psn_no)
    async with uow:
        person = await repository.get_person(uow.session, psn_no)
    if person is None:
        raise person_not_found(psn_no)
    ensure_clerk_region(principal, person.insured_region)
    return person


async def change_person(
    uow: UnitOfWork, *, psn_no: str, principal: Principal, changes: dict[str, Any], actor: str
) -> Person:
    """Change a registered person. An insurance-type change (D-F11) is kept in the history
    and leaves the person's filings as they are: they stay valid."""
    async with uow:
        person = await repository.get_person(uow.session, psn_no, lock=True)
        if person is None:
            raise person_not_found(psn_no)
        ensure_clerk_region(principal, person.insured_region)
        after, changed_fields = person.changed(**changes)
        if not changed_fields:
            return person
        await repository.save_person_change(
            uow.session, after, changed_fields=changed_fields, actor=actor
        )
        await uow.publish(PersonChanged(**person_facts(after), changed_fields=changed_fields))
        await uow.commit()
    return after


async def person_history(
    uow: UnitOfWork, *, psn_no: str, principal: Principal
) -> list[dict[str, Any]]:
    await get_person(uow, psn_no=psn_no, principal=principal)
    async with uow:
        return await repository.person_versions(uow.session, psn_no)
