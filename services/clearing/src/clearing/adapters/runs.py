"""Clearing runs, their differences and their statements in and out of the database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from clearing.adapters.tables import (
    clearing_runs,
    reconciliation_differences,
    statements,
)
from clearing.domain.netting import Figures, Pair, StatementDraft
from clearing.domain.reconciliation import Difference
from clearing.domain.runs import ClearingRun, RunStatus, RunStep
from clearing.domain.statements import Statement, StatementStatus
from medins_common import timeutil

R, S = clearing_runs.c, statements.c


# -- runs -----------------------------------------------------------------------------------------


async def add_run(
    session: AsyncSession, *, period: str, started_by: str, lease: timedelta
) -> ClearingRun:
    moment = timeutil.now()
    values = {
        "run_id": uuid.uuid4().hex,
        "period": period,
        "status": RunStatus.RUNNING.value,
        "step": RunStep.QUEUED.value,
        "progress": "{}",
        "attempt": 0,
        "started_by": started_by,
        "created_at": moment,
        "updated_at": moment,
        "lease_until": moment + lease,
    }
    await session.execute(insert(clearing_runs).values(values))
    return _run(values)


async def get_run(session: AsyncSession, run_id: str) -> ClearingRun | None:
    row = (
        (await session.execute(select(clearing_runs).where(R.run_id == run_id))).mappings().first()
    )
    return None if row is None else _run(row)


async def run_for_period(session: AsyncSession, period: str) -> ClearingRun | None:
    row = (
        (await session.execute(select(clearing_runs).where(R.period == period))).mappings().first()
    )
    return None if row is None else _run(row)


async def list_runs(session: AsyncSession) -> list[ClearingRun]:
    rows = (await session.execute(select(clearing_runs).order_by(R.period.desc()))).mappings()
    return [_run(row) for row in rows]


async def take_lease(
    session: AsyncSession, run_id: str, *, lease: timedelta, **changes: Any
) -> bool:
    """Become the run's worker if nobody holds it: a failed run, or one whose lease ran out."""
    moment = timeutil.now()
    unheld = (R.status == RunStatus.FAILED.value) | (
        (R.status == RunStatus.RUNNING.value) & (R.lease_until.is_(None) | (R.lease_until < moment))
    )
    return await _move_run(
        session, run_id, unheld, lease_until=moment + lease, error=None, **changes
    )


async def unblock(session: AsyncSession, run_id: str, *, lease: timedelta, **changes: Any) -> bool:
    """Set a blocked run going again (forced or to reconcile afresh), if it is still blocked."""
    moment = timeutil.now()
    return await _move_run(
        session,
        run_id,
        R.status == RunStatus.BLOCKED.value,
        lease_until=moment + lease,
        **changes,
    )


async def _move_run(session: AsyncSession, run_id: str, condition: Any, **values: Any) -> bool:
    for name in ("status", "step"):
        if name in values:
            values[name] = str(values[name])
    moved = await session.execute(
        update(clearing_runs)
        .where(R.run_id == run_id, condition)
        .values(status=RunStatus.RUNNING.value, updated_at=timeutil.now(), **values)
    )
    return moved.rowcount == 1


async def update_run(session: AsyncSession, run_id: str, **values: Any) -> None:
    if "progress" in values:
        values["progress"] = json.dumps(values["progress"], ensure_ascii=False)
    for name in ("status", "step"):
        if name in values:
            values[name] = str(values[name])
    await session.execute(
        update(clearing_runs).where(R.run_id == run_id).values(updated_at=timeutil.now(), **values)
    )


def _run(row: Any) -> ClearingRun:
    progress = row["progress"]
    return ClearingRun(
        run_id=row["run_id"],
        period=row["period"],
        status=RunStatus(row["status"]),
        step=RunStep(row["step"]),
        progress=json.loads(progress) if isinstance(progress, str) else progress,
        attempt=row["attempt"],
        started_by=row["started_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        lease_until=row["lease_until"],
        forced_by=row.get("forced_by"),
        forced_at=row.get("forced_at"),
        force_reason=row.get("force_reason"),
        closed_at=row.get("closed_at"),
        error=row.get("error"),
    )


# -- differences ----------------------------------------------------------------------------------


async def add_differences(
    session: AsyncSession, *, run_id: str, attempt: int, differences: Sequence[Difference]
) -> None:
    if differences:
        await session.execute(
            insert(reconciliation_differences),
            [
                {
                    "run_id": run_id,
                    "attempt": attempt,
                    "seq": seq,
                    "kind": difference.kind.value,
                    "key": json.dumps(difference.key, ensure_ascii=False),
                    "detail": json.dumps(difference.detail, ensure_ascii=False),
                }
                for seq, difference in enumerate(differences, start=1)
            ],
        )


async def differences_of(
    session: AsyncSession, *, run_id: str, attempt: int
) -> list[dict[str, Any]]:
    D = reconciliation_differences.c
    rows = await session.execute(
        select(D.kind, D.key, D.detail)
        .where(D.run_id == run_id, D.attempt == attempt)
        .order_by(D.seq)
    )
    return [
        {"kind": kind, "key": json.loads(key), "detail": json.loads(detail)}
        for kind, key, detail in rows
    ]


# -- statements -----------------------------------------------------------------------------------


async def add_statements(
    session: AsyncSession, *, run_id: str, period: str, drafts: Sequence[StatementDraft]
) -> None:
    """One row per pair; its lines per institution are read from the closed period's ledger."""
    moment = timeutil.now()
    if drafts:
        await session.execute(
            insert(statements),
            [
                {
                    "statement_id": uuid.uuid4().hex,
                    "run_id": run_id,
                    "period": period,
                    "insured_region": draft.insured_region,
                    "treatment_region": draft.treatment_region,
                    **_figures_row(draft.figures),
                    "adjustment_count": draft.adjustments.settled_count
                    + draft.adjustments.reversed_count,
                    "adjustment_fund_pay_sumamt": draft.adjustments.fund_pay_sumamt,
                    "status": StatementStatus.GENERATED.value,
                    "created_at": moment,
                }
                for draft in drafts
            ],
        )


def _figures_row(figures: Figures) -> dict[str, Any]:
    return {
        "settled_count": figures.settled_count,
        "reversed_count": figures.reversed_count,
        "medfee_sumamt": figures.medfee_sumamt,
        "fund_pay_sumamt": figures.fund_pay_sumamt,
        "psn_part_amt": figures.psn_part_amt,
        "psn_cash_pay": figures.psn_cash_pay,
    }


def _figures(row: Any) -> Figures:
    return Figures(
        settled_count=row["settled_count"],
        reversed_count=row["reversed_count"],
        medfee_sumamt=row["medfee_sumamt"],
        fund_pay_sumamt=row["fund_pay_sumamt"],
        psn_part_amt=row["psn_part_amt"],
        psn_cash_pay=row["psn_cash_pay"],
    )


async def statements_of_run(session: AsyncSession, run_id: str) -> list[Statement]:
    rows = await session.execute(
        select(statements).where(S.run_id == run_id).order_by(S.insured_region, S.treatment_region)
    )
    return [_statement(row) for row in rows.mappings()]


async def get_statement(session: AsyncSession, statement_id: str) -> Statement | None:
    row = (
        (await session.execute(select(statements).where(S.statement_id == statement_id)))
        .mappings()
        .first()
    )
    return None if row is None else _statement(row)


async def move_statement(
    session: AsyncSession,
    statement_id: str,
    *,
    before: StatementStatus,
    after: StatementStatus,
    **stamps: Any,
) -> bool:
    """The status step, only from ``before``: two clerks racing cannot both take it."""
    moved = await session.execute(
        update(statements)
        .where(S.statement_id == statement_id, S.status == before.value)
        .values(status=after.value, **stamps)
    )
    return moved.rowcount == 1


async def monthly_use(
    session: AsyncSession, pairs: Sequence[Pair], *, months: int
) -> dict[Pair, list[Decimal]]:
    """The net fund share of the latest cleared months per pair, newest first."""
    rows = await session.execute(
        select(S.insured_region, S.treatment_region, S.fund_pay_sumamt)
        .where(
            S.insured_region.in_({p[0] for p in pairs}),
            S.treatment_region.in_({p[1] for p in pairs}),
        )
        .order_by(S.period.desc())
    )
    use: dict[Pair, list[Decimal]] = {pair: [] for pair in pairs}
    for insured, treatment, amount in rows:
        months_seen = use.get((insured, treatment))
        if months_seen is not None and len(months_seen) < months:
            months_seen.append(amount)
    return use


def _statement(row: Any) -> Statement:
    return Statement(
        statement_id=row["statement_id"],
        run_id=row["run_id"],
        period=row["period"],
        insured_region=row["insured_region"],
        treatment_region=row["treatment_region"],
        figures=_figures(row),
        adjustment_count=row["adjustment_count"],
        adjustment_fund_pay_sumamt=row["adjustment_fund_pay_sumamt"],
        status=StatementStatus(row["status"]),
        created_at=row["created_at"],
        insured_confirmed_by=row["insured_confirmed_by"],
        insured_confirmed_at=row["insured_confirmed_at"],
        treatment_confirmed_by=row["treatment_confirmed_by"],
        treatment_confirmed_at=row["treatment_confirmed_at"],
        paid_by=row["paid_by"],
        paid_at=row["paid_at"],
    )
