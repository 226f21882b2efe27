"""Referrals and their steps in and out of the database, as domain objects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.db import dialect_insert
from referral.adapters.tables import referral_steps, referral_uses, referrals
from referral.domain.referral import Content, Path, Referral, State, Step, StepKind
from referral.domain.statistics import IssuedRecord, RevokedRecord

_CONTENT_FIELDS = (
    "psn_no",
    "diagnosis_code",
    "diagnosis_name",
    "reason",
    "target_institution",
    "target_region",
    "valid_from",
    "valid_to",
    "origin_referral_id",
    "emergency_admitted_on",
)


async def add(session: AsyncSession, referral: Referral) -> None:
    content = referral.content
    await session.execute(
        insert(referrals).values(
            referral_id=referral.referral_id,
            path=content.path.value,
            **{name: getattr(content, name) for name in _CONTENT_FIELDS},
            issuing_institution=referral.issuing_institution,
            state=referral.state.value,
            verification_code=referral.verification_code,
            created_at=referral.steps[0].at,
        )
    )
    for step in referral.steps:
        await _add_step(session, referral.referral_id, step)


async def save_step(session: AsyncSession, referral: Referral) -> None:
    """Store the referral after one step: its new state and that step."""
    await session.execute(
        update(referrals)
        .where(referrals.c.referral_id == referral.referral_id)
        .values(
            state=referral.state.value,
            covered_institutions=list(referral.covered_institutions) or None,
            consortium_id=referral.consortium_id,
        )
    )
    await _add_step(session, referral.referral_id, referral.steps[-1])


async def get(session: AsyncSession, referral_id: str, *, lock: bool = False) -> Referral | None:
    """One referral; ``lock`` holds its row until commit so two steps cannot race."""
    query = select(referrals).where(referrals.c.referral_id == referral_id)
    return await _one(session, query.with_for_update() if lock else query)


async def by_verification_code(session: AsyncSession, code: str) -> Referral | None:
    return await _one(session, select(referrals).where(referrals.c.verification_code == code))


async def of_person(session: AsyncSession, psn_no: str) -> list[Referral]:
    return await _load(
        session,
        select(referrals).where(referrals.c.psn_no == psn_no).order_by(referrals.c.created_at),
    )


async def issued_of_person(session: AsyncSession, psn_no: str) -> list[Referral]:
    return await _load(
        session,
        select(referrals).where(
            referrals.c.psn_no == psn_no, referrals.c.state == State.ISSUED.value
        ),
    )


async def record_use(
    session: AsyncSession, *, referral_id: str, bill_id: str, institution_code: str, used_on: date
) -> None:
    await session.execute(
        dialect_insert(session, referral_uses)
        .values(
            referral_id=referral_id,
            bill_id=bill_id,
            institution_code=institution_code,
            used_on=used_on,
            recorded_at=timeutil.now(),
        )
        .on_conflict_do_nothing()
    )


async def forget_uses_of_bill(session: AsyncSession, bill_id: str) -> None:
    await session.execute(delete(referral_uses).where(referral_uses.c.bill_id == bill_id))


async def issued_tertiary_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[IssuedRecord]:
    """D-R6: tertiary_outbound referrals uploaded in [start, end)."""
    query = _tertiary_steps(StepKind.UPLOAD, start, end).add_columns(
        referrals.c.target_region, referrals.c.diagnosis_code
    )
    return [
        IssuedRecord(
            institution_code=row.issuing_institution,
            month=timeutil.period_of(row.at),
            target_region=row.target_region,
            diagnosis_code=row.diagnosis_code,
        )
        for row in await session.execute(query)
    ]


async def revoked_tertiary_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[RevokedRecord]:
    """D-R6: issued tertiary_outbound referrals revoked in [start, end) (not withdrawn drafts)."""
    uploaded = referral_steps.alias("uploaded")
    query = _tertiary_steps(StepKind.REVOCATION, start, end).join(
        uploaded,
        and_(
            uploaded.c.referral_id == referrals.c.referral_id,
            uploaded.c.kind == StepKind.UPLOAD.value,
        ),
    )
    return [
        RevokedRecord(institution_code=row.issuing_institution, month=timeutil.period_of(row.at))
        for row in await session.execute(query)
    ]


def _tertiary_steps(kind: StepKind, start: datetime, end: datetime) -> Any:
    return (
        select(referrals.c.issuing_institution, referral_steps.c.at)
        .join(referral_steps, referral_steps.c.referral_id == referrals.c.referral_id)
        .where(
            referrals.c.path == Path.TERTIARY_OUTBOUND.value,
            referral_steps.c.kind == kind.value,
            referral_steps.c.at >= start,
            referral_steps.c.at < end,
        )
    )


async def _add_step(session: AsyncSession, referral_id: str, step: Step) -> None:
    await session.execute(
        insert(referral_steps).values(
            referral_id=referral_id,
            kind=step.kind.value,
            actor_subject=step.actor_subject,
            actor_role=step.actor_role,
            person_name=step.person_name,
            person_title=step.person_title,
            note=step.note,
            at=step.at,
        )
    )


async def _one(session: AsyncSession, query: Any) -> Referral | None:
    found = await _load(session, query)
    return found[0] if found else None


async def _load(session: AsyncSession, query: Any) -> list[Referral]:
    rows = (await session.execute(query)).all()
    ids = [row.referral_id for row in rows]
    if not ids:
        return []
    steps: dict[str, list[Step]] = defaultdict(list)
    step_rows = await session.execute(
        select(referral_steps).where(referral_steps.c.referral_id.in_(ids))
    )
    # The steps can only happen in StepKind's order, so that order is also their time order.
    for step in sorted(step_rows, key=lambda row: list(StepKind).index(StepKind(row.kind))):
        steps[step.referral_id].append(
            Step(
                kind=StepKind(step.kind),
                actor_subject=step.actor_subject,
                actor_role=step.actor_role,
                person_name=step.person_name,
                at=step.at,
                person_title=step.person_title,
                note=step.note,
            )
        )
    used = set(
        await session.scalars(
            select(referral_uses.c.referral_id).where(referral_uses.c.referral_id.in_(ids))
        )
    )
    return [_referral(row, steps[row.referral_id], row.referral_id in used) for row in rows]


def _referral(row: Row[Any], steps: Sequence[Step], used: bool) -> Referral:
    return Referral(
        referral_id=row.referral_id,
        content=Content(
            path=Path(row.path), **{name: getattr(row, name) for name in _CONTENT_FIELDS}
        ),
        issuing_institution=row.issuing_institution,
        verification_code=row.verification_code,
        state=State(row.state),
        steps=list(steps),
        covered_institutions=tuple(row.covered_institutions or ()),
        consortium_id=row.consortium_id,
        used=used,
    )
