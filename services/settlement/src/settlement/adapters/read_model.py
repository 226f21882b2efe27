"""What settlement knows of people, filings, institutions, chronic registrations, referrals and
closed clearing periods, as the other services' events told it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, Table, bindparam, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.db import dialect_insert
from settlement.adapters.json_rows import json_rows, ordered
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

_T = TypeVar("_T")


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
_INSTITUTION = select(known_institutions).where(known_institutions.c.code == bindparam("code"))

# A person's filings, referrals and chronic registrations: exactly the domain objects' fields,
# named as they are, with what ends them (cancellation, revocation) joined. The per-person
# readers below run these selects as rows; the pricing context (``adapters/pricing_context.py``)
# reads the same selects as JSON columns of its one row. Both decode with ``filing_from``,
# ``referral_from`` and ``chronic_registration_from``.
_FILING_ROWS = (
    select(
        known_filings.c.filing_id,
        known_filings.c.filing_class,
        known_filings.c.subtype,
        known_filings.c.destination_region,
        known_filings.c.start_date,
        known_filings.c.end_date,
        filing_cancellations.c.cancelled_on,
        known_filings.c.scope,
    )
    .outerjoin(filing_cancellations, filing_cancellations.c.filing_id == known_filings.c.filing_id)
    .where(known_filings.c.psn_no == bindparam("psn_no"))
)
_FILING_ORDER = ("start_date", "filing_id")
_TARGET = known_institutions.alias("target")
_REFERRAL_ROWS = (
    select(
        known_referrals.c.referral_id,
        known_referrals.c.target_institution,
        known_referrals.c.covered_institutions,
        # The target's consortium when the referral names none (an empty name is none).
        func.coalesce(
            func.nullif(known_referrals.c.consortium_id, literal_column("''")),
            _TARGET.c.consortium_id,
        ).label("consortium_id"),
        known_referrals.c.valid_from,
        known_referrals.c.valid_to,
        referral_revocations.c.revoked_at.is_not(None).label("revoked"),
    )
    .outerjoin(_TARGET, _TARGET.c.code == known_referrals.c.target_institution)
    .outerjoin(
        referral_revocations, referral_revocations.c.referral_id == known_referrals.c.referral_id
    )
    .where(known_referrals.c.psn_no == bindparam("psn_no"))
)
_REFERRAL_ORDER = ("valid_from", "referral_id")
_CHRONIC_ROWS = select(
    known_chronic_registrations.c.registration_id,
    known_chronic_registrations.c.disease_code,
    known_chronic_registrations.c.institution_codes,
    (known_chronic_registrations.c.status == literal_column("'active'")).label("active"),
).where(known_chronic_registrations.c.psn_no == bindparam("psn_no"))
_CHRONIC_ORDER = ("registration_id",)

_FILINGS = ordered(_FILING_ROWS, _FILING_ORDER)
_REFERRALS = ordered(_REFERRAL_ROWS, _REFERRAL_ORDER)
_CHRONIC = ordered(_CHRONIC_ROWS, _CHRONIC_ORDER)
FILINGS_JSON = json_rows(_FILING_ROWS, _FILING_ORDER)
REFERRALS_JSON = json_rows(_REFERRAL_ROWS, _REFERRAL_ORDER)
CHRONIC_REGISTRATIONS_JSON = json_rows(_CHRONIC_ROWS, _CHRONIC_ORDER)


def _day(value: date | str | None) -> date | None:
    """A date as a row gives it, or as JSON does (its ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _scope(value: list[str] | None) -> frozenset[str]:
    return frozenset(value) if value is not None else DEFAULT_SCOPE


def _decoder(kind: type[_T], **convert: Callable[[Any], Any]) -> Callable[[Mapping[str, Any]], _T]:
    """Decodes a row, or a JSON object, holding ``kind``'s fields by name; ``convert`` turns
    some of them from what a row or JSON gives (JSON: dates as text, SQLite booleans as 0/1)."""
    fields = [(field.name, convert.pop(field.name, None)) for field in dataclasses.fields(kind)]
    if convert:
        raise TypeError(f"{kind.__name__} has no fields {sorted(convert)}")

    def decode(values: Mapping[str, Any]) -> _T:
        return kind(**{name: values[name] if c is None else c(values[name]) for name, c in fields})

    return decode


filing_from = _decoder(KnownFiling, start_date=_day, end_date=_day, cancelled_on=_day, scope=_scope)
referral_from = _decoder(
    KnownReferral, valid_from=_day, valid_to=_day, covered_institutions=frozenset, revoked=bool
)
chronic_registration_from = _decoder(ChronicRegistration, institution_codes=frozenset, active=bool)

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


async def institution(session: AsyncSession, code: str) -> Institution | None:
    return institution_of((await session.execute(_INSTITUTION, {"code": code})).first())


def institution_of(row: Any) -> Institution | None:
    """The institution in a row holding ``known_institutions``' columns, if any."""
    values = row and row._mapping
    if not values or values[known_institutions.c.code] is None:
        return None
    fields = {name: values[known_institutions.c[name]] for name in Institution.__dataclass_fields__}
    return Institution(**{**fields, "networked_services": frozenset(fields["networked_services"])})


async def _decoded(
    session: AsyncSession, statement: Select[Any], psn_no: str, decode: Callable[[Any], _T]
) -> list[_T]:
    rows = (await session.execute(statement, {"psn_no": psn_no})).mappings()
    return [decode(row) for row in rows]


async def filings_of(session: AsyncSession, psn_no: str) -> list[KnownFiling]:
    return await _decoded(session, _FILINGS, psn_no, filing_from)


async def referrals_of(session: AsyncSession, psn_no: str) -> list[KnownReferral]:
    return await _decoded(session, _REFERRALS, psn_no, referral_from)


async def chronic_registrations_of(session: AsyncSession, psn_no: str) -> list[ChronicRegistration]:
    return await _decoded(session, _CHRONIC, psn_no, chronic_registration_from)


async def closed_periods_from(session: AsyncSession, period: str) -> set[str]:
    """The closed clearing periods from ``period`` on (YYYY-MM sorts as text)."""
    return set((await session.scalars(_CLOSED_FROM, {"period": period})).all())


async def all_closed_periods(session: AsyncSession) -> frozenset[str]:
    return frozenset((await session.scalars(select(closed_periods.c.period))).all())
