"""The monthly clearing batch over HTTP: admins run it, auditors watch it."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from clearing.entrypoints.api.deps import Admin, Overseer, Reader, Settings
from clearing.entrypoints.api.schemas import (
    DifferenceOut,
    DifferencesOut,
    ForceIn,
    RegionPositionOut,
    RunIn,
    RunOut,
    RunStatementsOut,
    StatementOut,
)
from clearing.service_layer import clearing_runs, statements
from medins_common.api.errors import PROBLEM_RESPONSES
from medins_common.api.idempotency import IdempotencyDep
from medins_common.service import RuntimeDep, UnitOfWorkDep
from medins_common.unit_of_work import UnitOfWork

router = APIRouter(prefix="/v1/clearing-runs", tags=["clearing runs"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunOut,
    summary="Run the monthly clearing of a period (admin); asking again gives the same run",
    description="Reconciles the ledger against settlement and the hospitals, then closes the "
    "period, nets it per region pair and institution, writes the statements and publishes "
    "ClearingPeriodClosed. The work goes on in the background: poll the run for its step and "
    "counts. A period's run is created once; asking again returns it unchanged, or resumes it "
    "if its worker died or it failed.",
)
async def start_run(
    body: RunIn, admin: Admin, idempotency: IdempotencyDep, runtime: RuntimeDep, settings: Settings
) -> JSONResponse:
    started: list[str] = []

    async def start(uow: UnitOfWork) -> RunOut:
        run, needs_worker = await clearing_runs.start_run(
            uow, period=body.period, principal=admin, lease=settings.run_lease
        )
        if needs_worker:
            started.append(run.run_id)
        return RunOut.of(run)

    answer = await idempotency.run(body=body, operation=start, status_code=202)
    for run_id in started:  # once its row is committed
        clearing_runs.spawn(runtime, run_id)
    return answer


@router.get("", response_model=list[RunOut], summary="Every clearing run, newest period first")
async def list_runs(uow: UnitOfWorkDep, _overseer: Overseer) -> list[RunOut]:
    return [RunOut.of(run) for run in await clearing_runs.list_runs(uow)]


@router.get("/{run_id}", response_model=RunOut, summary="A run's status, step and counts")
async def get_run(run_id: str, uow: UnitOfWorkDep, _overseer: Overseer) -> RunOut:
    return RunOut.of(await clearing_runs.get_run(uow, run_id=run_id))


@router.get(
    "/{run_id}/differences",
    response_model=DifferencesOut,
    summary="What the latest reconciliation found: every difference with its key",
)
async def get_differences(run_id: str, uow: UnitOfWorkDep, _overseer: Overseer) -> DifferencesOut:
    run, found = await clearing_runs.differences(uow, run_id=run_id)
    return DifferencesOut(
        run_id=run.run_id,
        period=run.period,
        attempt=run.attempt,
        differences=[DifferenceOut(**difference) for difference in found],
    )


@router.post(
    "/{run_id}/force",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunOut,
    summary="Close a blocked period despite its differences (admin, with a reason on record)",
)
async def force_run(
    run_id: str,
    body: ForceIn,
    admin: Admin,
    idempotency: IdempotencyDep,
    runtime: RuntimeDep,
    settings: Settings,
) -> JSONResponse:
    forced: list[str] = []

    async def force(uow: UnitOfWork) -> RunOut:
        run = await clearing_runs.force_run(
            uow, run_id=run_id, reason=body.reason, principal=admin, lease=settings.run_lease
        )
        forced.append(run.run_id)
        return RunOut.of(run)

    answer = await idempotency.run(body=body, operation=force, status_code=202)
    for forced_run in forced:  # not on a replayed answer
        clearing_runs.spawn(runtime, forced_run)
    return answer


@router.post(
    "/{run_id}/reconciliation",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunOut,
    summary="Reconcile a blocked run again, say once settlement answers (admin)",
)
async def reconcile_again(
    run_id: str, uow: UnitOfWorkDep, _admin: Admin, runtime: RuntimeDep, settings: Settings
) -> RunOut:
    run = await clearing_runs.reconcile_again(uow, run_id=run_id, lease=settings.run_lease)
    clearing_runs.spawn(runtime, run_id)
    return RunOut.of(run)


@router.get(
    "/{run_id}/statements",
    response_model=RunStatementsOut,
    summary="The run's statements per region pair, and each region's net position",
)
async def run_statements(run_id: str, uow: UnitOfWorkDep, reader: Reader) -> RunStatementsOut:
    run, visible, positions = await statements.statements_of_run(
        uow, run_id=run_id, principal=reader
    )
    return RunStatementsOut(
        run_id=run.run_id,
        period=run.period,
        statements=[StatementOut.of(statement) for statement in visible],
        regions=[RegionPositionOut.of(position) for position in positions],
    )
