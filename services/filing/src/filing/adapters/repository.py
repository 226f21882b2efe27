"""Persons, filings, institutions, referrals and chronic registrations in and out of the
database, as domain objects. Rows are loaded as stored: no rule runs on the way out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from filing.adapters.tables import (
    chronic_registrations,
    filing_history,
    filings,
    institution_services,
    institutions,
    known_referrals,
    person_history,
    persons,
)
from filing.domain.chronic import ChronicDisease, ChronicRegistration, RegistrationStatus
from filing.domain.filing import Channel, Filing, FilingStatus, Material, Subtype
from filing.domain.institution import Institution, Kind, Level, NetworkedService
from filing.domain.person import Insutype, Person, PersonStatus, PersonType
from filing.domain.referral import KnownReferral
from filing.domain.regions import area_prefix
from medins_common import timeutil
from medins_common.db import upsert

# --- persons -----------------------------------------------------------------------------


def _person(row: Row[Any]) -> Person:
    return Person(
        psn_no=row.psn_no,
        name=row.name,
        id_no_masked=row.id_no_masked,
        insured_region=row.insured_region,
        insutype=Insutype(row.insutype),
        person_type=PersonType(row.person_type),
        status=PersonStatus(row.status),
    )


async def person_exists_with_id_hash(session: AsyncSession, id_no_hash: str) -> bool:
    found = await session.scalar(select(persons.c.psn_no).where(persons.c.id_no_hash == id_no_hash))
    return found is not None


async def get_person(session: AsyncSession, psn_no: str, *, lock: bool = False) -> Person | None:
    """``lock`` holds the person's row until commit (PostgreSQL), so two filings for one
    person are checked against each other one after the other."""
    query = select(persons).where(persons.c.psn_no == psn_no)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else _person(row)


async def registered(
    session: AsyncSession, *, psn_nos: Iterable[str], id_no_hashes: Iterable[str]
) -> list[tuple[Person, str]]:
    """Registered persons holding any of these psn_nos or ID hashes, with their ID hash."""
    rows = (
        await session.execute(
            select(persons).where(
                persons.c.psn_no.in_(list(psn_nos)) | persons.c.id_no_hash.in_(list(id_no_hashes))
            )
        )
    ).all()
    return [(_person(row), row.id_no_hash) for row in rows]


async def add_persons(
    session: AsyncSession, registrations: Sequence[tuple[Person, str]], *, actor: str
) -> None:
    """Insert persons with their ID hashes, each with its first history version."""
    moment = timeutil.now()
    await session.execute(
        insert(persons),
        [
            {
                "psn_no": person.psn_no,
                "name": person.name,
                "id_no_hash": id_no_hash,
                "id_no_masked": person.id_no_masked,
                "insured_region": person.insured_region,
                "insutype": person.insutype.value,
                "person_type": person.person_type.value,
                "status": person.status.value,
                "version": 1,
                "created_at": moment,
                "updated_at": moment,
            }
            for person, id_no_hash in registrations
        ],
    )
    await session.execute(
        insert(person_history),
        [
            _person_version(person, version=1, changed_fields=[], actor=actor, at=moment)
            for person, _ in registrations
        ],
    )


async def save_person_change(
    session: AsyncSession, person: Person, *, changed_fields: list[str], actor: str
) -> int:
    """Write the changed person and its new history version; return the version."""
    moment = timeutil.now()
    version = int(
        await session.scalar(
            update(persons)
            .where(persons.c.psn_no == person.psn_no)
            .values(
                name=person.name,
                insutype=person.insutype.value,
                person_type=person.person_type.value,
                status=person.status.value,
                version=persons.c.version + 1,
                updated_at=moment,
            )
            .returning(persons.c.version)
        )
    )
    await session.execute(
        insert(person_history).values(
            _person_version(
                person, version=version, changed_fields=changed_fields, actor=actor, at=moment
            )
        )
    )
    return version


def _person_version(
    person: Person, *, version: int, changed_fields: list[str], actor: str, at: Any
) -> dict[str, Any]:
    return {
        "psn_no": person.psn_no,
        "version": version,
        "name": person.name,
        "insutype": person.insutype.value,
        "person_type": person.person_type.value,
        "status": person.status.value,
        "changed_fields": changed_fields,
        "actor": actor,
        "recorded_at": at,
    }


async def person_versions(session: AsyncSession, psn_no: str) -> list[dict[str, Any]]:
    return await _mappings(
        session,
        select(person_history)
        .where(person_history.c.psn_no == psn_no)
        .order_by(person_history.c.version),
    )


# --- filings -----------------------------------------------------------------------------


def _filing(row: Row[Any]) -> Filing:
    return Filing(
        filing_id=row.filing_id,
        psn_no=row.psn_no,
        insured_region=row.insured_region,
        subtype=Subtype(row.subtype),
        destination_region=row.destination_region,
        start_date=row.start_date,
        end_date=row.end_date,
        channel=Channel(row.channel),
        materials=frozenset(Material(kind) for kind in row.materials or ()),
        referral_id=row.referral_id,
        admission_date=row.admission_date,
        status=FilingStatus(row.status),
        cancelled_on=row.cancelled_on,
        version=row.version,
    )


async def get_filing(session: AsyncSession, filing_id: str) -> Filing | None:
    row = (await session.execute(select(filings).where(filings.c.filing_id == filing_id))).first()
    return None if row is None else _filing(row)


async def filings_of(session: AsyncSession, psn_no: str) -> list[Filing]:
    rows = await session.execute(
        select(filings)
        .where(filings.c.psn_no == psn_no)
        .order_by(filings.c.start_date, filings.c.created_at)
    )
    return [_filing(row) for row in rows]


async def add_filing(session: AsyncSession, filing: Filing, *, actor: str) -> None:
    moment = timeutil.now()
    await session.execute(
        insert(filings).values(
            filing_id=filing.filing_id,
            psn_no=filing.psn_no,
            insured_region=filing.insured_region,
            filing_class=filing.filing_class.value,
            subtype=filing.subtype.value,
            channel=filing.channel.value,
            referral_id=filing.referral_id,
            created_at=moment,
            **_filing_state(filing, at=moment),
        )
    )
    await _add_filing_version(
        session, filing, action="created", changed_fields=[], reason=None, actor=actor, at=moment
    )


async def save_filing_change(
    session: AsyncSession,
    filing: Filing,
    *,
    action: str,
    changed_fields: list[str],
    reason: str | None,
    actor: str,
) -> None:
    moment = timeutil.now()
    await session.execute(
        update(filings)
        .where(filings.c.filing_id == filing.filing_id)
        .values(**_filing_state(filing, at=moment))
    )
    await _add_filing_version(
        session,
        filing,
        action=action,
        changed_fields=changed_fields,
        reason=reason,
        actor=actor,
        at=moment,
    )


def _filing_state(filing: Filing, *, at: Any) -> dict[str, Any]:
    """The columns a change or cancellation may move."""
    return {
        "destination_region": filing.destination_region,
        "start_date": filing.start_date,
        "end_date": filing.end_date,
        "status": filing.status.value,
        "materials": sorted(filing.materials),
        "admission_date": filing.admission_date,
        "cancelled_on": filing.cancelled_on,
        "version": filing.version,
        "updated_at": at,
    }


async def _add_filing_version(
    session: AsyncSession,
    filing: Filing,
    *,
    action: str,
    changed_fields: list[str],
    reason: str | None,
    actor: str,
    at: Any,
) -> None:
    await session.execute(
        insert(filing_history).values(
            filing_id=filing.filing_id,
            version=filing.version,
            action=action,
            destination_region=filing.destination_region,
            start_date=filing.start_date,
            end_date=filing.end_date,
            status=filing.status.value,
            cancelled_on=filing.cancelled_on,
            changed_fields=changed_fields,
            reason=reason,
            actor=actor,
            recorded_at=at,
        )
    )


async def filing_versions(session: AsyncSession, filing_id: str) -> list[dict[str, Any]]:
    return await _mappings(
        session,
        select(filing_history)
        .where(filing_history.c.filing_id == filing_id)
        .order_by(filing_history.c.version),
    )


# --- institutions ------------------------------------------------------------------------


def _institution(row: Row[Any], services: Iterable[str]) -> Institution:
    return Institution(
        code=row.code,
        name=row.name,
        region=row.region,
        kind=Kind(row.kind),
        level=None if row.level is None else Level(row.level),
        designated=row.designated,
        networked_services=frozenset(NetworkedService(s) for s in services),
        consortium_id=row.consortium_id,
        jjj_mutual_recognition=row.jjj_mutual_recognition,
    )


async def institutions_by_code(
    session: AsyncSession, codes: Iterable[str]
) -> dict[str, Institution]:
    return await _institutions_where(session, institutions.c.code.in_(list(codes)))


async def get_institution(session: AsyncSession, code: str) -> Institution | None:
    return (await institutions_by_code(session, [code])).get(code)


async def institutions_in(
    session: AsyncSession,
    *,
    region: str,
    service: NetworkedService | None,
    limit: int,
    offset: int,
) -> list[Institution]:
    """Designated institutions within a province, city or county that are networked for the
    service (for any service when none is given), by code."""
    networked = select(institution_services.c.code)
    if service is not None:
        networked = networked.where(institution_services.c.service == service.value)
    query = select(institutions.c.code).where(
        institutions.c.region.startswith(area_prefix(region), autoescape=True),
        institutions.c.designated.is_(True),
        institutions.c.code.in_(networked),
    )
    codes = list(
        await session.scalars(query.order_by(institutions.c.code).limit(limit).offset(offset))
    )
    found = await institutions_by_code(session, codes)
    return [found[code] for code in codes]


async def _institutions_where(session: AsyncSession, condition: Any) -> dict[str, Institution]:
    rows = (await session.execute(select(institutions).where(condition))).all()
    services: dict[str, list[str]] = {row.code: [] for row in rows}
    if services:
        pairs = await session.execute(
            select(institution_services).where(institution_services.c.code.in_(list(services)))
        )
        for code, service in pairs:
            services[code].append(service)
    return {row.code: _institution(row, services[row.code]) for row in rows}


async def save_institutions(session: AsyncSession, changed: Sequence[Institution]) -> None:
    """Insert or update each institution in place, with exactly its networked services."""
    moment = timeutil.now()
    for institution in changed:
        await upsert(
            session,
            institutions,
            {
                "code": institution.code,
                "name": institution.name,
                "region": institution.region,
                "kind": institution.kind.value,
                "level": None if institution.level is None else int(institution.level),
                "designated": institution.designated,
                "consortium_id": institution.consortium_id,
                "jjj_mutual_recognition": institution.jjj_mutual_recognition,
                "updated_at": moment,
            },
            key=["code"],
        )
    codes = [institution.code for institution in changed]
    await session.execute(
        delete(institution_services).where(institution_services.c.code.in_(codes))
    )
    pairs = [
        {"code": institution.code, "service": service.value}
        for institution in changed
        for service in sorted(institution.networked_services)
    ]
    if pairs:
        await session.execute(insert(institution_services), pairs)


# --- referrals (read model of referral's events) -----------------------------------------


async def get_referral(session: AsyncSession, referral_id: str) -> KnownReferral | None:
    row = (
        await session.execute(
            select(known_referrals).where(known_referrals.c.referral_id == referral_id)
        )
    ).first()
    if row is None:
        return None
    return KnownReferral(
        referral_id=row.referral_id,
        psn_no=row.psn_no,
        target_institution=row.target_institution,
        target_region=row.target_region,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        revoked=row.revoked,
    )


async def record_referral_issued(
    session: AsyncSession,
    *,
    referral_id: str,
    psn_no: str,
    target_institution: str,
    target_region: str,
    valid_from: date,
    valid_to: date,
) -> None:
    """Keep the referral's facts; a revocation that arrived first stays in force."""
    revoked = await session.scalar(
        select(known_referrals.c.revoked).where(known_referrals.c.referral_id == referral_id)
    )
    await upsert(
        session,
        known_referrals,
        {
            "referral_id": referral_id,
            "psn_no": psn_no,
            "target_institution": target_institution,
            "target_region": target_region,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "revoked": bool(revoked),
            "updated_at": timeutil.now(),
        },
        key=["referral_id"],
    )


async def record_referral_revoked(session: AsyncSession, *, referral_id: str, psn_no: str) -> None:
    await upsert(
        session,
        known_referrals,
        {
            "referral_id": referral_id,
            "psn_no": psn_no,
            "revoked": True,
            "updated_at": timeutil.now(),
        },
        key=["referral_id"],
    )


# --- chronic registrations ---------------------------------------------------------------


def _registration(row: Row[Any]) -> ChronicRegistration:
    return ChronicRegistration(
        registration_id=row.registration_id,
        psn_no=row.psn_no,
        filing_id=row.filing_id,
        disease=ChronicDisease(row.disease_code),
        institution_codes=tuple(row.institution_codes),
        status=RegistrationStatus(row.status),
    )


async def get_registration(
    session: AsyncSession, registration_id: str
) -> ChronicRegistration | None:
    row = (
        await session.execute(
            select(chronic_registrations).where(
                chronic_registrations.c.registration_id == registration_id
            )
        )
    ).first()
    return None if row is None else _registration(row)


async def registrations_of(session: AsyncSession, psn_no: str) -> list[ChronicRegistration]:
    rows = await session.execute(
        select(chronic_registrations)
        .where(chronic_registrations.c.psn_no == psn_no)
        .order_by(chronic_registrations.c.created_at)
    )
    return [_registration(row) for row in rows]


async def add_registration(session: AsyncSession, registration: ChronicRegistration) -> None:
    moment = timeutil.now()
    await session.execute(
        insert(chronic_registrations).values(
            registration_id=registration.registration_id,
            psn_no=registration.psn_no,
            filing_id=registration.filing_id,
            disease_code=registration.disease.value,
            institution_codes=list(registration.institution_codes),
            status=registration.status.value,
            created_at=moment,
            updated_at=moment,
        )
    )


async def save_registration(session: AsyncSession, registration: ChronicRegistration) -> None:
    await session.execute(
        update(chronic_registrations)
        .where(chronic_registrations.c.registration_id == registration.registration_id)
        .values(
            institution_codes=list(registration.institution_codes),
            status=registration.status.value,
            updated_at=timeutil.now(),
        )
    )


async def _mappings(session: AsyncSession, query: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in (await session.execute(query)).mappings()]
