"""What settlement knows of people and filings, as filing's events told it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.db import upsert
from settlement.adapters.tables import known_filings, known_persons
from settlement.domain.eligibility import KnownFiling


async def save_person(session: AsyncSession, values: dict[str, Any]) -> None:
    await upsert(session, known_persons, {**values, "updated_at": timeutil.now()}, key=["psn_no"])


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


async def person_insured_region(session: AsyncSession, psn_no: str) -> str | None:
    return await session.scalar(
        select(known_persons.c.insured_region).where(known_persons.c.psn_no == psn_no)
    )


async def filings_of(session: AsyncSession, psn_no: str) -> list[KnownFiling]:
    rows = (
        await session.execute(
            select(known_filings)
            .where(known_filings.c.psn_no == psn_no)
            .order_by(known_filings.c.start_date)
        )
    ).all()
    return [
        KnownFiling(
            filing_id=row.filing_id,
            filing_class=row.filing_class,
            subtype=row.subtype,
            destination_region=row.destination_region,
            start_date=row.start_date,
            end_date=row.end_date,
            status=row.status,
        )
        for row in rows
    ]
