"""What clearing reconciles against (the settlement ↔ clearing HTTP contract): per clearing
period, the net totals per region pair, the bills behind them, and the hospitals' daily
reconciliations. A clerk sees what touches their own region; admins and auditors see all."""

from __future__ import annotations

import calendar
from datetime import date

from medins_common.auth import Principal, Role
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import ledger
from settlement.domain.coverage import region_within
from settlement.domain.reconciliation import DayReconciliation, PairTotals, PeriodEntry


def _visible(principal: Principal, *regions: str | None) -> bool:
    if principal.role is not Role.CLERK:
        return True
    assert principal.region is not None
    return any(region is not None and region_within(region, principal.region) for region in regions)


async def period_totals(uow: UnitOfWork, *, period: str, principal: Principal) -> list[PairTotals]:
    async with uow:
        pairs = await ledger.pair_totals(uow.session, period)
    return [p for p in pairs if _visible(principal, p.insured_region, p.treatment_region)]


async def period_bills(
    uow: UnitOfWork,
    *,
    period: str,
    principal: Principal,
    insured_region: str | None = None,
    treatment_region: str | None = None,
) -> list[PeriodEntry]:
    async with uow:
        entries = await ledger.period_entries(
            uow.session, period, insured_region=insured_region, treatment_region=treatment_region
        )
    return [e for e in entries if _visible(principal, e.insured_region, e.treatment_region)]


async def hospital_reconciliations(
    uow: UnitOfWork, *, period: str, principal: Principal
) -> list[DayReconciliation]:
    year, month = (int(part) for part in period.split("-"))
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    async with uow:
        days = await ledger.reconciliations_between(uow.session, first=first, last=last)
    return [day for day, region in days if _visible(principal, region)]
