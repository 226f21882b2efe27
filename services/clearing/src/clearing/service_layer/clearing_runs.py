"""The monthly clearing batch: start, force or re-reconcile a run, and the work itself.

The work runs as a background task in the API process, and its state lives in the database:
every step is written down as it starts, with its counts, and the worker holds a lease it
renews as it goes. A run whose worker died (its lease ran out) or failed resumes when an
admin asks for the period again.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from clearing.adapters import ledger, runs
from clearing.adapters.settlement_client import SettlementClient, SettlementUnavailable
from clearing.config import ClearingSettings
from clearing.domain.errors import WrongOrder
from clearing.domain.netting import Pair, PostedGroup, net_statements
from clearing.domain.reconciliation import (
    Difference,
    DifferenceKind,
    HospitalDay,
    compare_bills,
    compare_hospital_days,
    compare_totals,
    declaration_verdicts,
    declared_months,
    institution_months,
    institutions_to_drill,
    ledger_pair_totals,
    settlement_unavailable,
)
from clearing.domain.runs import (
    ClearingRun,
    RunStatus,
    RunStep,
    check_blocked,
    check_period_may_close,
    resumes_on_request,
)
from medins_common import timeutil
from medins_common.auth import Principal
from medins_common.errors import NotFound
from medins_common.events.schemas import ClearingPeriodClosed
from medins_common.money import ZERO, money_str
from medins_common.service import Runtime
from medins_common.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Answer = TypeVar("Answer")

_MAX_RECONCILIATIONS = 3  # new bills for the period kept arriving while it was being closed
_PROGRESS_EVERY = 20  # pairs drilled down between two progress writes


# -- commands -------------------------------------------------------------------------------------


async def start_run(
    uow: UnitOfWork, *, period: str, principal: Principal, lease: timedelta
) -> tuple[ClearingRun, bool]:
    """The period's run, created if new; True when a worker must (re)start on it."""
    check_period_may_close(period, current_period=timeutil.period_of(timeutil.now()))
    try:
        async with uow:
            run = await runs.run_for_period(uow.session, period)
            if run is None:
                run = await runs.add_run(
                    uow.session, period=period, started_by=principal.subject, lease=lease
                )
                await uow.commit()
                return run, True
            if not resumes_on_request(run.status, lease_until=run.lease_until, now=timeutil.now()):
                return run, False
            resumed = await runs.take_lease(uow.session, run.run_id, lease=lease)
            run = await _run(uow, run.run_id)
            await uow.commit()
            return run, resumed
    except IntegrityError:
        # The same period asked for twice at once: the other request created the run.
        async with uow:
            run = await runs.run_for_period(uow.session, period)
        if run is None:
            raise
        return run, False


async def force_run(
    uow: UnitOfWork, *, run_id: str, reason: str, principal: Principal, lease: timedelta
) -> ClearingRun:
    """Close a blocked period despite its differences, with the admin's reason on record."""
    run = await _unblock(
        uow,
        run_id,
        "forced",
        lease=lease,
        step=RunStep.CLOSING,
        forced_by=principal.subject,
        forced_at=timeutil.now(),
        force_reason=reason,
    )
    log.warning(
        "clearing run %s of %s forced by %s: %s", run_id, run.period, principal.subject, reason
    )
    return run


async def reconcile_again(uow: UnitOfWork, *, run_id: str, lease: timedelta) -> ClearingRun:
    """A blocked run reconciles afresh (say, once settlement answers again)."""
    return await _unblock(uow, run_id, "reconciled again", lease=lease, step=RunStep.RECONCILING)


async def _unblock(
    uow: UnitOfWork, run_id: str, action: str, *, lease: timedelta, **changes: Any
) -> ClearingRun:
    async with uow:
        check_blocked((await _run(uow, run_id)).status, action)
        if not await runs.unblock(uow.session, run_id, lease=lease, **changes):
            raise WrongOrder(f"The run was set going meanwhile: not {action}.", field="status")
        run = await _run(uow, run_id)
        await uow.commit()
    return run


# -- queries --------------------------------------------------------------------------------------


async def get_run(uow: UnitOfWork, *, run_id: str) -> ClearingRun:
    async with uow:
        return await _run(uow, run_id)


async def list_runs(uow: UnitOfWork) -> list[ClearingRun]:
    async with uow:
        return await runs.list_runs(uow.session)


async def differences(uow: UnitOfWork, *, run_id: str) -> tuple[ClearingRun, list[dict[str, Any]]]:
    """The differences of the run's latest reconciliation."""
    async with uow:
        run = await _run(uow, run_id)
        return run, await runs.differences_of(uow.session, run_id=run_id, attempt=run.attempt)


async def _run(uow: UnitOfWork, run_id: str) -> ClearingRun:
    run = await runs.get_run(uow.session, run_id)
    if run is None:
        raise NotFound(f"No clearing run {run_id}.", code="run_not_found", field="run_id")
    return run


# -- the work -------------------------------------------------------------------------------------

_workers: set[asyncio.Task[None]] = set()  # strong references while the tasks run


def spawn(runtime: Runtime, run_id: str) -> None:
    """Start the run's work in the background of this process."""
    settings = runtime.settings
    assert isinstance(settings, ClearingSettings)

    async def work() -> None:
        async with SettlementClient(
            base_url=settings.settlement_base_url,
            jwt_secret=settings.jwt_secret.get_secret_value(),
            timeout_seconds=settings.settlement_timeout_seconds,
        ) as settlement:
            await execute_run(
                runtime, run_id=run_id, settlement=settlement, lease=settings.run_lease
            )

    task = asyncio.create_task(work(), name=f"clearing-run-{run_id}")
    _workers.add(task)
    task.add_done_callback(_workers.discard)


@dataclass(frozen=True)
class Snapshot:
    """The ledger of the period as reconciled: its high-water mark and its sums."""

    watermark: int
    groups: Sequence[PostedGroup]
    differences: Sequence[Difference]


class _Worker:
    """Writes the run's step and counts as it goes, renewing its lease each time."""

    def __init__(self, runtime: Runtime, run_id: str, lease: timedelta) -> None:
        self.runtime = runtime
        self.run_id = run_id
        self._lease = lease
        self.progress: dict[str, Any] = {}

    async def run(self) -> ClearingRun:
        async with self.runtime.uow() as uow:
            run = await _run(uow, self.run_id)
        self.progress = dict(run.progress)
        return run

    async def update(self, **values: Any) -> None:
        """Write the step and counts; unless told otherwise, renew the lease."""
        async with self.runtime.uow() as uow:
            await self.write(uow, **values)
            await uow.commit()

    async def write(self, uow: UnitOfWork, **values: Any) -> None:
        """The same, in the caller's transaction."""
        values.setdefault("lease_until", timeutil.now() + self._lease)
        await runs.update_run(uow.session, self.run_id, progress=self.progress, **values)


async def execute_run(
    runtime: Runtime, *, run_id: str, settlement: SettlementClient, lease: timedelta
) -> None:
    """Reconcile, then close, net and write the statements; stop at differences unless forced."""
    worker = _Worker(runtime, run_id, lease)
    try:
        with _cyclic_collector_paused():
            for _ in range(_MAX_RECONCILIATIONS):
                run = await worker.run()
                snapshot = None
                if not run.forced:
                    snapshot = await _reconcile(worker, run, settlement)
                    if snapshot.differences:
                        return  # blocked
                if await _close(worker, run, snapshot):
                    return
        raise RuntimeError(f"bills of {run.period} kept arriving while it was being closed")
    except Exception as exc:
        log.exception("clearing run %s failed", run_id)
        with contextlib.suppress(Exception):
            await worker.update(status=RunStatus.FAILED, error=repr(exc)[:2000], lease_until=None)


@contextlib.contextmanager
def _cyclic_collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the run.

    A month's run holds tens of thousands of objects (hospital days, groups, statements) until
    it ends, and reference counting frees them then. Collecting meanwhile only promotes them to
    the oldest generation until it sweeps the whole process: 0.1–0.2 s on the development
    machine, as long as the month's aggregate itself, in every other run or so.
    """
    if not gc.isenabled():  # another run in this process paused it
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _reconcile(worker: _Worker, run: ClearingRun, settlement: SettlementClient) -> Snapshot:
    """Three ways: the ledger, settlement's totals (and bills where they differ), hospitals.

    The ledger's sums and settlement's two answers are asked for at once. The run is left
    blocked at its differences, or on its way to closing.
    """
    period, attempt = run.period, run.attempt + 1
    worker.progress = {}
    await worker.update(step=RunStep.RECONCILING, attempt=attempt)
    (watermark, groups, parked), theirs, declared = await asyncio.gather(
        _ledger_side(worker, period),
        _ask(settlement.period_totals(period)),
        _ask(settlement.hospital_days(period)),
    )
    ours = ledger_pair_totals(period, groups)
    found: list[Difference] = [_parked_difference(row) for row in parked]
    worker.progress.update(
        ledger_bills=sum(f.settled_count + f.reversed_count for f in ours.values()),
        ledger_pairs=len(ours),
        parked_events=len(parked),
    )
    if isinstance(theirs, SettlementUnavailable):
        found.append(settlement_unavailable(theirs.endpoint, theirs.reason))
    else:
        worker.progress["settlement_pairs"] = len(theirs)
        found += await _drill_down(worker, period, compare_totals(ours, theirs), settlement)
    if isinstance(declared, SettlementUnavailable):
        found.append(settlement_unavailable(declared.endpoint, declared.reason))
    else:
        found += await _hospitals(worker, period, groups, declared)
    worker.progress["differences"] = len(found)
    async with worker.runtime.uow() as uow:  # the differences and what comes next, at once
        await runs.add_differences(
            uow.session, run_id=run.run_id, attempt=attempt, differences=found
        )
        if found:
            await worker.write(
                uow, status=RunStatus.BLOCKED, step=RunStep.AWAITING_DECISION, lease_until=None
            )
        else:
            await worker.write(uow, step=RunStep.CLOSING)
        await uow.commit()
    return Snapshot(watermark=watermark, groups=groups, differences=found)


async def _ledger_side(worker: _Worker, period: str) -> tuple[int, list[PostedGroup], list[Any]]:
    """The period's sums and high-water mark, under the closing lock so no posting of the
    period is half-way through."""
    async with worker.runtime.uow() as uow:
        await ledger.hold_period_for_closing(uow.session, period)
        watermark = await ledger.last_entry_id(uow.session)
        groups = await ledger.posted_groups(uow.session, period)
        parked = await ledger.parked(uow.session, period=period)
    return watermark, groups, parked


async def _ask(question: Awaitable[Answer]) -> Answer | SettlementUnavailable:
    try:
        return await question
    except SettlementUnavailable as exc:
        return exc


async def _drill_down(
    worker: _Worker, period: str, mismatched: list[Difference], settlement: SettlementClient
) -> list[Difference]:
    """For every pair whose totals differ, the bills that make the difference (like 3202)."""
    found = list(mismatched)
    worker.progress.update(pairs_to_drill=len(mismatched), pairs_drilled=0)
    for done, difference in enumerate(mismatched, start=1):
        pair: Pair = (difference.key["insured_region"], difference.key["treatment_region"])
        try:
            theirs = await settlement.period_bills(period, pair)
        except SettlementUnavailable as exc:
            found.append(settlement_unavailable(exc.endpoint, exc.reason))
            break
        async with worker.runtime.uow() as uow:
            ours = await ledger.bill_lines(uow.session, period, pair)
        found += compare_bills(pair, ledger=ours, settlement=theirs)
        worker.progress["pairs_drilled"] = done
        if done % _PROGRESS_EVERY == 0:
            await worker.update()
    return found


async def _hospitals(
    worker: _Worker, period: str, groups: Sequence[PostedGroup], declared: Sequence[HospitalDay]
) -> list[Difference]:
    """Hospitals' declarations: per institution and month, then day by day where they differ."""
    drill = institutions_to_drill(institution_months(period, groups), declared_months(declared))
    found = declaration_verdicts(declared)
    if drill:
        async with worker.runtime.uow() as uow:
            ours = await ledger.hospital_days(uow.session, period, drill)
        found += compare_hospital_days(
            ours, [day for day in declared if day.institution_code in drill]
        )
    worker.progress.update(hospital_days=len(declared), institutions_drilled=len(drill))
    return found


def _parked_difference(row: Any) -> Difference:
    return Difference(
        DifferenceKind.PARKED_EVENT,
        {"event_id": row.event_id, "bill_id": row.bill_id},
        {"event_type": row.event_type, "reason": row.reason, "detail": row.detail},
    )


async def _close(worker: _Worker, run: ClearingRun, snapshot: Snapshot | None) -> bool:
    """Close the period, net it and write its statements in one transaction; False when bills
    arrived after the reconciliation (it is then done again)."""
    if snapshot is None:  # forced: not reconciled just now
        await worker.update(step=RunStep.CLOSING)
    async with worker.runtime.uow() as uow:
        await ledger.hold_period_for_closing(uow.session, run.period)
        if snapshot is None:  # forced: the ledger as it stands now
            groups = await ledger.posted_groups(uow.session, run.period)
        elif await ledger.bills_posted_after(uow.session, run.period, snapshot.watermark):
            return False
        else:
            groups = snapshot.groups
        drafts = net_statements(run.period, groups)
        total = sum((draft.amount_due for draft in drafts), ZERO)
        moment = timeutil.now()
        await ledger.close_period(uow.session, period=run.period, run_id=run.run_id)
        await runs.add_statements(uow.session, run_id=run.run_id, period=run.period, drafts=drafts)
        await uow.publish(
            ClearingPeriodClosed(
                period=run.period,
                run_id=run.run_id,
                closed_at=moment,
                region_pairs=len(drafts),
                fund_pay_sumamt=total,
            )
        )
        worker.progress.update(statements=len(drafts), fund_pay_sumamt=money_str(total))
        await runs.update_run(
            uow.session,
            run.run_id,
            status=RunStatus.CLOSED,
            step=RunStep.DONE,
            progress=worker.progress,
            closed_at=moment,
            lease_until=None,
        )
        await uow.commit()
    log.info(
        "clearing run %s closed %s: %d statements, %s", run.run_id, run.period, len(drafts), total
    )
    return True
