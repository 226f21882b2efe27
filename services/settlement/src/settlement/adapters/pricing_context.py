"""What pricing a bill reads first, in one statement: the person, the institution, and stamps
of the reference data that changes rarely (catalogue and policy versions, closed periods).

Every settlement needs all of these, so they come in one round trip rather than five. The
stamps tell the in-memory caches whether what they hold is still exact: a catalogue or policy
version never changes in place (a correction is a new version) and a period is closed once,
so a stamp changes exactly when a version is added or deleted or a period closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import LABEL_STYLE_TABLENAME_PLUS_COL, Table, bindparam, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from settlement.adapters.read_model import institution_of, person_of
from settlement.adapters.reference_tables import catalogue_versions, policy_versions
from settlement.adapters.tables import closed_periods, known_institutions, known_persons
from settlement.domain.coverage import Institution, KnownPerson


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
_CONTEXT = (
    select(
        known_persons,
        known_institutions,
        *_versions_stamp(catalogue_versions, "catalogues"),
        *_versions_stamp(policy_versions, "policies"),
        _scalar(func.count(closed_periods.c.period), "closed_periods"),
    )
    .select_from(
        _ANCHOR.outerjoin(known_persons, known_persons.c.psn_no == bindparam("psn_no")).outerjoin(
            known_institutions, known_institutions.c.code == bindparam("institution_code")
        )
    )
    .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
)


async def read_pricing_context(
    session: AsyncSession, *, psn_no: str, institution_code: str
) -> PricingContext:
    row = (
        await session.execute(_CONTEXT, {"psn_no": psn_no, "institution_code": institution_code})
    ).one()
    return PricingContext(
        person=person_of(row),
        institution=institution_of(row),
        reference=ReferenceStamp(
            catalogues=VersionsStamp(row.catalogues_count, row.catalogues_latest),
            policies=VersionsStamp(row.policies_count, row.policies_latest),
            closed_periods=row.closed_periods,
        ),
    )
