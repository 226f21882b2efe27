"""What pricing a bill reads first, in one statement: the person with their filings and
referrals (and, for chronic outpatient care, their chronic registrations), the institution, and
stamps of the reference data that changes rarely (catalogue and policy versions, closed periods).

Every settlement needs all of these, so they come in one round trip rather than seven, and
settlements posted together (the group commit) read theirs in one round trip between them: one
select each, joined by UNION ALL. The
person's filings, referrals and chronic registrations come as one JSON array each
(``adapters/json_rows.py``), from the same selects and decoded by the same functions as the
per-person readers of ``adapters/read_model.py``. Only chronic outpatient care needs the
chronic registrations; the other care does not read them.

The stamps tell the in-memory caches whether what they hold is still exact: a catalogue or
policy version never changes in place (a correction is a new version) and a period is closed
once, so a stamp changes exactly when a version is added or deleted or a period closed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    LABEL_STYLE_TABLENAME_PLUS_COL,
    BindParameter,
    Select,
    Table,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.visitors import replacement_traverse

from settlement.adapters.read_model import (
    CHRONIC_REGISTRATIONS_JSON,
    FILINGS_JSON,
    REFERRALS_JSON,
    chronic_registration_from,
    filing_from,
    institution_of,
    person_of,
    referral_from,
)
from settlement.adapters.reference_tables import catalogue_versions, policy_versions
from settlement.adapters.tables import closed_periods, known_institutions, known_persons
from settlement.domain.coverage import (
    ChronicRegistration,
    Institution,
    KnownPerson,
    KnownReferral,
)
from settlement.domain.eligibility import KnownFiling


@dataclass(frozen=True)
class VersionsStamp:
    count: int
    latest: datetime | None  # the newest version's creation


@dataclass(frozen=True)
class ReferenceStamp:
    catalogues: VersionsStamp
    policies: VersionsStamp
    closed_periods: int


@dataclass(frozen=True)
class PricingContext:
    person: KnownPerson | None
    filings: list[KnownFiling]  # the person's, as ``read_model.filings_of`` gives them
    referrals: list[KnownReferral]  # as ``read_model.referrals_of``
    # As ``read_model.chronic_registrations_of``; None when not asked for (they matter only for
    # chronic outpatient care, and reading them costs every other settlement a little).
    chronic_registrations: list[ChronicRegistration] | None
    institution: Institution | None
    reference: ReferenceStamp


def _scalar(column: Any, label: str) -> Any:
    return select(column).scalar_subquery().label(label)


def _versions_stamp(versions: Table, name: str) -> tuple[Any, Any]:
    return (
        _scalar(func.count(versions.c.version_id), f"{name}_count"),
        _scalar(func.max(versions.c.created_at), f"{name}_latest"),
    )


@dataclass(frozen=True)
class Wanted:
    """Whose context to read: a person treated at an institution, with or without their
    chronic registrations."""

    psn_no: str
    institution_code: str
    chronic: bool = False


# One row whatever exists: the person and the institution are outer-joined to a constant.
_ANCHOR = select(literal(1).label("anchor")).subquery("anchor")


def _context(position: int, chronic: bool) -> Select[Any]:
    """The select of the ``position``-th context of a statement: its parameters (the person's
    and the institution's, also in the filings', referrals' and registrations' subqueries)
    renamed to its own."""
    chronic_registrations = (
        CHRONIC_REGISTRATIONS_JSON if chronic else literal_column("NULL", JSON())
    ).label("chronic_registrations")
    context = (
        select(
            literal_column(str(position)).label("position"),
            known_persons,
            FILINGS_JSON.label("filings"),
            REFERRALS_JSON.label("referrals"),
            chronic_registrations,
            known_institutions,
            *_versions_stamp(catalogue_versions, "catalogues"),
            *_versions_stamp(policy_versions, "policies"),
            _scalar(func.count(closed_periods.c.period), "closed_periods"),
        )
        .select_from(
            _ANCHOR.outerjoin(
                known_persons, known_persons.c.psn_no == bindparam("psn_no")
            ).outerjoin(
                known_institutions, known_institutions.c.code == bindparam("institution_code")
            )
        )
        .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
    )

    def own_parameter(element: Any, **_: Any) -> BindParameter[Any] | None:
        if isinstance(element, BindParameter) and element.key in ("psn_no", "institution_code"):
            return bindparam(f"{element.key}_{position}", type_=element.type)
        return None

    return replacement_traverse(context, {}, own_parameter)


@functools.cache
def _statement(chronic: tuple[bool, ...]) -> Any:
    """One statement per shape (how many contexts, which with chronic registrations), made
    once: the database and SQLAlchemy cache it by its text."""
    selects = [_context(position, wanted) for position, wanted in enumerate(chronic)]
    return selects[0] if len(selects) == 1 else union_all(*selects).order_by("position")


async def read_pricing_context(
    session: AsyncSession, *, psn_no: str, institution_code: str, chronic: bool = False
) -> PricingContext:
    """The context; with ``chronic``, the person's chronic registrations too."""
    [context] = await read_pricing_contexts(
        session, [Wanted(psn_no, institution_code, chronic=chronic)]
    )
    return context


async def read_pricing_contexts(
    session: AsyncSession, wanted: Sequence[Wanted]
) -> list[PricingContext]:
    """Each wanted context, in order, from one statement."""
    parameters: dict[str, str] = {}
    for position, one in enumerate(wanted):
        parameters[f"psn_no_{position}"] = one.psn_no
        parameters[f"institution_code_{position}"] = one.institution_code
    statement = _statement(tuple(one.chronic for one in wanted))
    rows = (await session.execute(statement, parameters)).all()
    return [_context_of(row, chronic=one.chronic) for row, one in zip(rows, wanted, strict=True)]


def _context_of(row: Any, *, chronic: bool) -> PricingContext:
    return PricingContext(
        person=person_of(row),
        filings=[filing_from(values) for values in row.filings],
        referrals=[referral_from(values) for values in row.referrals],
        chronic_registrations=(
            [chronic_registration_from(values) for values in row.chronic_registrations]
            if chronic
            else None
        ),
        institution=institution_of(row),
        reference=ReferenceStamp(
            catalogues=VersionsStamp(row.catalogues_count, row.catalogues_latest),
            policies=VersionsStamp(row.policies_count, row.policies_latest),
            closed_periods=row.closed_periods,
        ),
    )
