"""Clearing statements: reading them, and their steps from generated to paid."""

from __future__ import annotations

from dataclasses import replace

from clearing.adapters import ledger, runs
from clearing.domain.errors import WrongOrder
from clearing.domain.ledger import EntryKind
from clearing.domain.netting import RegionPosition, institution_lines, region_positions
from clearing.domain.runs import ClearingRun
from clearing.domain.statements import PAYMENT, Statement, Step, take_step
from clearing.service_layer.access import ensure_party, sees_pair
from medins_common import timeutil
from medins_common.auth import Principal
from medins_common.errors import NotFound
from medins_common.unit_of_work import UnitOfWork


async def statements_of_run(
    uow: UnitOfWork, *, run_id: str, principal: Principal
) -> tuple[ClearingRun, list[Statement], list[RegionPosition]]:
    """The run's statements and the regions' net positions; a clerk sees their region's."""
    async with uow:
        run = await runs.get_run(uow.session, run_id)
        if run is None:
            raise NotFound(f"No clearing run {run_id}.", code="run_not_found", field="run_id")
        found = await runs.statements_of_run(uow.session, run_id)
    positions = region_positions(found)
    return (
        run,
        [s for s in found if sees_pair(principal, s.insured_region, s.treatment_region)],
        [p for p in positions if sees_pair(principal, p.region, p.region)],
    )


async def get_statement(uow: UnitOfWork, *, statement_id: str, principal: Principal) -> Statement:
    """The statement with its lines per institution, read from the closed period's ledger."""
    async with uow:
        statement = await _statement(uow, statement_id)
        ensure_party(
            principal,
            insured_region=statement.insured_region,
            treatment_region=statement.treatment_region,
        )
        pair = (statement.insured_region, statement.treatment_region)
        groups = await ledger.posted_groups(uow.session, statement.period, pair)
    return replace(statement, institutions=institution_lines(groups))


async def take_statement_step(
    uow: UnitOfWork, *, statement_id: str, step: Step, principal: Principal
) -> Statement:
    """Confirm for one side, or record the payment; a payment also settles the ledger."""
    async with uow:
        statement = await _statement(uow, statement_id)
        ensure_party(
            principal,
            insured_region=statement.insured_region,
            treatment_region=statement.treatment_region,
        )
        after = take_step(
            step,
            status=statement.status,
            actor_region=principal.region,
            insured_region=statement.insured_region,
            treatment_region=statement.treatment_region,
        )
        moved = await runs.move_statement(
            uow.session,
            statement_id,
            before=step.before,
            after=after,
            **{f"{step.stamp}_by": principal.subject, f"{step.stamp}_at": timeutil.now()},
        )
        if not moved:  # someone took the step in between
            raise WrongOrder("The statement moved on meanwhile; read it again.", field="status")
        if step is PAYMENT and statement.amount_due:
            await ledger.post_entry(
                uow.session,
                kind=EntryKind.CLEARING_PAYMENT,
                source_id=statement_id,
                pair=(statement.insured_region, statement.treatment_region),
                amount=statement.amount_due,
                memo=f"clearing statement {statement.period}",
                recorded_by=principal.subject,
            )
        statement = await _statement(uow, statement_id)
        await uow.commit()
    return statement


async def _statement(uow: UnitOfWork, statement_id: str) -> Statement:
    statement = await runs.get_statement(uow.session, statement_id)
    if statement is None:
        raise NotFound(
            f"No statement {statement_id}.", code="statement_not_found", field="statement_id"
        )
    return statement
