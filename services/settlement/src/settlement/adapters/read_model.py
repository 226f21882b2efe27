"""What settlement knows of people, filings, institutions, chronic registrations, referrals and
closed clearing periods, as the other services' events told it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.db import dialect_insert
from settlement.adapters.tables import (
    closed_periods,
    filing_cancellations,
    known_chronic_registrations,
    known_filings,
    known_institutions,
    known_persons,
    known_referrals,
    referral_revocations,
)
from settlement.domain.coverage import (
    ChronicRegistration,
    Institution,
    KnownPerson,
    KnownReferral,
)
from settlement.domain.eligibility import DEFAULT_SCOPE, KnownFiling


async def _upsert_newer(
    session: AsyncSession, table: Table, values: dict[str, Any], *, key: Sequence[str]
) -> None:
    """Insert or update a row by its key, unless the row already holds a newer version."""
    statement = dialect_insert(session, table).values(**values)
    updates = {name: statement.excluded[name] for name in values if name not in key}
    not_older = or_(table.c.as_of.is_(None), table.c.as_of <= statement.excluded.as_of)
    await session.execute(
        statement.on_conflict_do_update(index_elements=list(key), set_=updates, where=not_older)
    )


async def _insert_once(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    await session.execute(dialect_insert(session, table).values(**values).on_conflict_do_nothing())


# -- writes, one per event ------------------------------------------------------------------


async def save_person(
    session: AsyncSession, values: dict[str, Any], *, as_of: datetime | None = None
) -> None:
    moment = timeutil.now()
    await _upsert_newer(
        session,
        known_persons,
        {**values, "updated_at": moment, "as_of": as_of or moment},
        key=["psn_no"],
    )


async def save_filing(
    session: AsyncSession, values: dict[str, Any], *, as_of: datetime | None = None
) -> None:
    moment = timeutil.now()
    await _upsert_newer(
        session,
        known_filings,
        {**values, "updated_at": moment, "as_of": as_of or moment},
        key=["filing_id"],
    )


async def cancel_filing(
    session: AsyncSession, *, filing_id: str, psn_no: str, cancelled_on: date, as_of: datetime
) -> None:
    await _upsert_newer(
        session,
        filing_cancellations,
        {"filing_id": filing_id, "psn_no": psn_no, "cancelled_on": cancelled_on, "as_of": as_of},
        key=["filing_id"],
    )


async def save_institution(
    session: AsyncSession, values: dict[str, Any], *, as_of: datetime | None = None
) -> None:
    await _upsert_newer(
        session, known_institutions, {**values, "as_of": as_of or timeutil.now()}, key=["code"]
    )


async def save_chronic_registration(
    session: AsyncSession, values: dict[str, Any], *, as_of: datetime | None = None
) -> None:
    await _upsert_newer(
        session,
        known_chronic_registrations,
        {**values, "as_of": as_of or timeutil.now()},
        key=["registration_id"],
    )


async def save_referral(
    session: AsyncSession, values: dict[str, Any], *, as_of: datetime | None = None
) -> None:
    await _upsert_newer(
        session, known_referrals, {**values, "as_of": as_of or timeutil.now()}, key=["referral_id"]
    )


async def revoke_referral(
    session: AsyncSession, *, referral_id: str, psn_no: str, revoked_at: datetime
) -> None:
    await _insert_once(
        session,
        referral_revocations,
        {"referral_id": referral_id, "psn_no": psn_no, "revoked_at": revoked_at},
    )


async def close_period(
    session: AsyncSession, *, period: str, run_id: str, closed_at: datetime
) -> None:
    await _insert_once(
        session, closed_periods, {"period": period, "run_id": run_id, "closed_at": closed_at}
    )


# -- reads ----------------------------------------------------------------------------------
# Built once, with bound parameters: every settlement runs them.

_PERSON = select(known_persons).where(known_persons.c.psn_no == bindparam("psn_no"))
_FILINGS = (
    select(known_filings, filing_cancellations.c.cancelled_on)
    .outerjoin(filing_cancellations, filing_cancellations.c.filing_id == known_filings.c.filing_id)
    .where(known_filings.c.psn_no == bindparam("psn_no"))
    .order_by(known_filings.c.start_date, known_filings.c.filing_id)
)
_INSTITUTION = select(known_institutions).where(known_institutions.c.code == bindparam("code"))
_TARGET = known_institutions.alias("target")
_REFERRALS = (
    select(
        known_referrals,
        _TARGET.c.consortium_id.label("target_consortium_id"),
        referral_revocations.c.revoked_at,
    )
    .outerjoin(_TARGET, _TARGET.c.code == known_referrals.c.target_institution)
    .outerjoin(
        referral_revocations, referral_revocations.c.referral_id == known_referrals.c.referral_id
    )
    .where(known_referrals.c.psn_no == bindparam("psn_no"))
    .order_by(known_referrals.c.valid_from, known_referrals.c.referral_id)
)
_CHRONIC = select(known_chronic_registrations).where(
    known_chronic_registrations.c.psn_no == bindparam("psn_no")
)
_CLOSED_FROM = select(closed_periods.c.period).where(closed_periods.c.period >= bindparam("period"))


async def person(session: AsyncSession, psn_no: str) -> KnownPerson | None:
    return person_of((await session.execute(_PERSON, {"psn_no": psn_no})).first())


def person_of(row: Any) -> KnownPerson | None:
    """The person in a row holding ``known_persons``' columns (alone or joined), if any."""
    values = row and row._mapping
    if not values or values[known_persons.c.psn_no] is None:
        return None
    return KnownPerson(
        **{name: values[known_persons.c[name]] for name in KnownPerson.__dataclass_fields__}
    )


async def filings_of(session: AsyncSession, psn_no: str) -> list[KnownFiling]:
    rows = (await session.execute(_FILINGS, {"psn_no": psn_no})).all()
    return [
        KnownFiling(
            filing_id=row.filing_id,
            filing_class=row.filing_class,
            subtype=row.subtype,
            destination_region=row.destination_region,
            start_date=row.start_date,
            end_date=row.end_date,
            cancelled_on=row.cancelled_on,
            scope=frozenset(row.scope) if row.scope is not None else DEFAULT_SCOPE,
        )
        for row in rows
    ]


async def institution(session: AsyncSession, code: str) -> Institution | None:
    return institution_of((await session.execute(_INSTITUTION, {"code": code})).first())


def institution_of(row: Any) -> Institution | None:
    """The institution in a row holding ``known_institutions``' columns, if any."""
    values = row and row._mapping
    if not values or values[known_institutions.c.code] is None:
        return None
    fields = {name: values[known_institutions.c[name]] for name in Institution.__dataclass_fields__}
    return Institution(**{**fields, "networked_services": frozenset(fields["networked_services"])})


async def referrals_of(session: AsyncSession, psn_no: str) -> list[KnownReferral]:
    rows = (await session.execute(_REFERRALS, {"psn_no": psn_no})).all()
    return [
        KnownReferral(
            referral_id=row.referral_id,
            target_institution=row.target_institution,
            covered_institutions=frozenset(row.covered_institutions),
            consortium_id=row.consortium_id or row.target_consortium_id,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            revoked=row.revoked_at is not None,
        )
        for row in rows
    ]


async def chronic_registrations_of(session: AsyncSession, psn_no: str) -> list[ChronicRegistration]:
    rows = (await session.execute(_CHRONIC, {"psn_no": psn_no})).all()
    return [
        ChronicRegistration(
            registration_id=row.registration_id,
            disease_code=row.disease_code,
            institution_codes=frozenset(row.institution_codes),
            active=row.status == "active",
        )
        for row in rows
    ]


async def closed_periods_from(session: AsyncSession, period: str) -> set[str]:
    """The closed clearing periods from ``period`` on (YYYY-MM sorts as text)."""
    return set((await session.scalars(_CLOSED_FROM, {"period": period})).all())


async def all_closed_periods(session: AsyncSession) -> frozenset[str]:
    return frozenset((await session.scalars(select(closed_periods.c.period))).all())
