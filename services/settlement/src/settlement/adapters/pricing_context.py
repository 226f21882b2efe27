"""What pricing a bill reads first, in one statement: the person with their filings and
referrals (and, for chronic outpatient care, their chronic registrations), the institution, and
stamps of the reference data that changes rarely (catalogue and policy versions, closed periods).

Every settlement needs all of these, so they come in one round trip rather than seven. The
person's filings, referrals and chronic registrations come as one JSON array each
(``adapters/json_rows.py``), from the same selects and decoded by the same functions as the
per-person readers of ``adapters/read_model.py``. Only chronic outpatient care needs the
chronic registrations; the other care does not read them.

The stamps tell the in-memory caches whether what they hold is still exact: a catalogue or
policy version never changes in place (a correction is a new version) and a period is closed
once, so a stamp changes exactly when a version is added or deleted or a period closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    LABEL_STYLE_TABLENAME_PLUS_COL,
    Select,
    Table,
    bindparam,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

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


# One row whatever exists: the person and the institution are outer-joined to a constant.
_ANCHOR = select(literal(1).label("anchor")).subquery("anchor")


def _context(*chronic_registrations: Any) -> Select[Any]:
    return (
        select(
            known_persons,
            FILINGS_JSON.label("filings"),
            REFERRALS_JSON.label("referrals"),
            *chronic_registrations,
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


_CONTEXT = _context()
_CONTEXT_WITH_CHRONIC = _context(CHRONIC_REGISTRATIONS_JSON.label("chronic_registrations"))


async def read_pricing_context(
    session: AsyncSession, *, psn_no: str, institution_code: str, chronic: bool = False
) -> PricingContext:
    """The context; with ``chronic``, the person's chronic registrations too."""
    statement = _CONTEXT_WITH_CHRONIC if chronic else _CONTEXT
    parameters = {"psn_no": psn_no, "institution_code": institution_code}
    row = (await session.execute(statement, parameters)).one()
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
