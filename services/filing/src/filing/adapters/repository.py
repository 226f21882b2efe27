"""Persons and filings in and out of the database, as domain objects."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from filing.adapters.tables import filings, persons
from filing.domain.filing import Channel, Filing, Subtype
from filing.domain.person import Insutype, Person, PersonType
from medins_common import timeutil


async def person_exists_with_id_hash(session: AsyncSession, id_no_hash: str) -> bool:
    found = await session.scalar(select(persons.c.psn_no).where(persons.c.id_no_hash == id_no_hash))
    return found is not None


async def get_person(session: AsyncSession, psn_no: str) -> Person | None:
    row = (await session.execute(select(persons).where(persons.c.psn_no == psn_no))).first()
    if row is None:
        return None
    return Person(
        psn_no=row.psn_no,
        name=row.name,
        id_no_masked=row.id_no_masked,
        insured_region=row.insured_region,
        insutype=Insutype(row.insutype),
        person_type=PersonType(row.person_type),
        status=row.status,
    )


async def add_person(session: AsyncSession, person: Person, *, id_no_hash: str) -> None:
    moment = timeutil.now()
    await session.execute(
        insert(persons).values(
            psn_no=person.psn_no,
            name=person.name,
            id_no_hash=id_no_hash,
            id_no_masked=person.id_no_masked,
            insured_region=person.insured_region,
            insutype=person.insutype.value,
            person_type=person.person_type.value,
            status=person.status,
            created_at=moment,
            updated_at=moment,
        )
    )


async def add_filing(session: AsyncSession, filing: Filing) -> None:
    await session.execute(
        insert(filings).values(
            filing_id=filing.filing_id,
            psn_no=filing.psn_no,
            insured_region=filing.insured_region,
            filing_class=filing.filing_class.value,
            subtype=filing.subtype.value,
            destination_region=filing.destination_region,
            start_date=filing.start_date,
            end_date=filing.end_date,
            channel=filing.channel.value,
            status=filing.status,
            created_at=timeutil.now(),
        )
    )


async def get_filing(session: AsyncSession, filing_id: str) -> Filing | None:
    row = (await session.execute(select(filings).where(filings.c.filing_id == filing_id))).first()
    if row is None:
        return None
    return Filing(
        filing_id=row.filing_id,
        psn_no=row.psn_no,
        insured_region=row.insured_region,
        subtype=Subtype(row.subtype),
        destination_region=row.destination_region,
        start_date=row.start_date,
        end_date=row.end_date,
        channel=Channel(row.channel),
        status=row.status,
    )
