"""What referral knows of persons, institutions and filings, as filing's events told it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.db import upsert
from referral.adapters.tables import known_filings, known_institutions, known_persons
from referral.domain.referral import Institution, KnownFiling, Patient
from referral.domain.regions import TIANJIN_PROVINCE


async def save_person(session: AsyncSession, values: dict[str, Any]) -> None:
    await upsert(session, known_persons, {**values, "updated_at": timeutil.now()}, key=["psn_no"])


async def save_institution(session: AsyncSession, values: dict[str, Any]) -> None:
    await upsert(
        session, known_institutions, {**values, "updated_at": timeutil.now()}, key=["code"]
    )


async def save_filing(session: AsyncSession, values: dict[str, Any]) -> None:
    await upsert(
        session, known_filings, {**values, "updated_at": timeutil.now()}, key=["filing_id"]
    )


async def cancel_filing(session: AsyncSession, filing_id: str) -> None:
    await session.execute(
        update(known_filings)
        .where(known_filings.c.filing_id == filing_id)
        .values(status="cancelled", updated_at=timeutil.now())
    )


async def patient(session: AsyncSession, psn_no: str, *, lock: bool = False) -> Patient | None:
    """The person; ``lock`` holds their row until commit, so two referrals of one person are
    checked one after the other (PostgreSQL; SQLite writers are serial anyway)."""
    query = select(known_persons).where(known_persons.c.psn_no == psn_no)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        return None
    return Patient(
        psn_no=row.psn_no, name=row.name, insured_region=row.insured_region, status=row.status
    )


async def institution(session: AsyncSession, code: str) -> Institution | None:
    query = select(known_institutions).where(known_institutions.c.code == code)
    row = (await session.execute(query)).first()
    return None if row is None else _institution(row)


async def institution_names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    query = select(known_institutions.c.code, known_institutions.c.name).where(
        known_institutions.c.code.in_(set(codes))
    )
    return {row.code: row.name for row in await session.execute(query)}


async def designated_hospitals_of_province(
    session: AsyncSession, province: str, *, level: int | None = None
) -> list[Institution]:
    query = select(known_institutions).where(
        known_institutions.c.region.startswith(province, autoescape=True),
        known_institutions.c.designated.is_(True),
        known_institutions.c.kind == "hospital",
    )
    if level is not None:
        query = query.where(known_institutions.c.level == level)
    return [_institution(row) for row in await session.execute(query)]


async def tianjin_tertiary_hospitals(session: AsyncSession) -> list[Institution]:
    """D-R6: the hospitals whose referrals the agency assesses."""
    return await designated_hospitals_of_province(session, TIANJIN_PROVINCE, level=3)


async def consortium(session: AsyncSession, consortium_id: str | None) -> list[Institution]:
    if consortium_id is None:
        return []
    query = select(known_institutions).where(known_institutions.c.consortium_id == consortium_id)
    return [_institution(row) for row in await session.execute(query)]


async def filings_of(session: AsyncSession, psn_no: str) -> list[KnownFiling]:
    query = select(known_filings).where(known_filings.c.psn_no == psn_no)
    return [
        KnownFiling(
            filing_id=row.filing_id,
            filing_class=row.filing_class,
            destination_region=row.destination_region,
            start_date=row.start_date,
            end_date=row.end_date,
            status=row.status,
        )
        for row in await session.execute(query)
    ]


def _institution(row: Row[Any]) -> Institution:
    return Institution(
        code=row.code,
        name=row.name,
        region=row.region,
        level=row.level,
        designated=row.designated,
        kind=row.kind,
        consortium_id=row.consortium_id,
    )
