"""What hospitals and clearing reconcile against: daily reconciliations and period totals."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common.db import upsert
from settlement.adapters.tables import bills, hospital_reconciliations, known_institutions
from settlement.domain.reconciliation import (
    DayReconciliation,
    DayTotals,
    PairTotals,
    PeriodEntry,
)

_TOTALS = ("count", "medfee_sumamt", "fund_pay_sumamt", "cash")
# A settlement counts in its period; its reversal in the reversal's (contract with clearing).
_BOOKINGS = (
    ("settled", bills.c.period, bills.c.settled_at),
    ("reversed", bills.c.reversal_period, bills.c.reversed_at),
)


async def save_reconciliation(session: AsyncSession, reconciliation: DayReconciliation) -> None:
    """The latest posting of a day counts: a hospital posts again once it has found the gap."""
    await upsert(
        session,
        hospital_reconciliations,
        {
            "institution_code": reconciliation.institution_code,
            "day": reconciliation.day,
            **_totals_row("declared", reconciliation.declared),
            **_totals_row("computed", reconciliation.computed),
            "result": reconciliation.result,
            "reconciled_at": reconciliation.reconciled_at,
        },
        key=["institution_code", "day"],
    )


async def reconciliations_between(
    session: AsyncSession, *, first: date, last: date
) -> list[tuple[DayReconciliation, str | None]]:
    """The days reconciled in a date range, with each institution's region (if known)."""
    query = (
        select(hospital_reconciliations, known_institutions.c.region)
        .outerjoin(
            known_institutions,
            known_institutions.c.code == hospital_reconciliations.c.institution_code,
        )
        .where(hospital_reconciliations.c.day.between(first, last))
        .order_by(hospital_reconciliations.c.day, hospital_reconciliations.c.institution_code)
    )
    return [(_reconciliation(row), row.region) for row in (await session.execute(query)).all()]


async def pair_totals(session: AsyncSession, period: str) -> list[PairTotals]:
    """Net totals per region pair: the period's settlements minus the period's reversals."""
    sums: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, period_column, _ in _BOOKINGS:
        query = (
            select(
                bills.c.insured_region,
                bills.c.treatment_region,
                func.count().label("count"),
                *(
                    func.sum(column).label(column.name)
                    for column in (
                        bills.c.medfee_sumamt,
                        bills.c.fund_pay_sumamt,
                        bills.c.psn_part_amt,
                        bills.c.psn_cash_pay,
                    )
                ),
            )
            .where(period_column == period)
            .group_by(bills.c.insured_region, bills.c.treatment_region)
        )
        sign = 1 if kind == "settled" else -1
        for row in (await session.execute(query)).all():
            pair = sums.setdefault(
                (row.insured_region, row.treatment_region),
                {"settled_count": 0, "reversed_count": 0},
            )
            pair[f"{kind}_count"] = row.count
            for name in ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "psn_cash_pay"):
                pair[name] = pair.get(name, 0) + sign * row._mapping[name]
    return [
        PairTotals(insured_region=insured, treatment_region=treated, **values)
        for (insured, treated), values in sorted(sums.items())
    ]


async def period_entries(
    session: AsyncSession,
    period: str,
    *,
    insured_region: str | None = None,
    treatment_region: str | None = None,
) -> list[PeriodEntry]:
    entries = []
    for kind, period_column, moment in _BOOKINGS:
        query = select(bills, moment.label("at")).where(period_column == period)
        if insured_region is not None:
            query = query.where(bills.c.insured_region == insured_region)
        if treatment_region is not None:
            query = query.where(bills.c.treatment_region == treatment_region)
        entries += [_entry(kind, row) for row in (await session.execute(query)).all()]
    return sorted(entries, key=lambda entry: (entry.at, entry.bill_id, entry.kind))


def _entry(kind: str, row: Any) -> PeriodEntry:
    return PeriodEntry(
        bill_id=row.bill_id,
        kind=kind,
        institution_code=row.institution_code,
        setl_id=row.setl_id,
        insured_region=row.insured_region,
        treatment_region=row.treatment_region,
        medfee_sumamt=row.medfee_sumamt,
        fund_pay_sumamt=row.fund_pay_sumamt,
        psn_cash_pay=row.psn_cash_pay,
        at=row.at,
    )


def _totals_row(prefix: str, totals: DayTotals) -> dict[str, Any]:
    return {f"{prefix}_{name}": getattr(totals, name) for name in _TOTALS}


def _totals(prefix: str, row: Any) -> DayTotals:
    return DayTotals(**{name: row._mapping[f"{prefix}_{name}"] for name in _TOTALS})


def _reconciliation(row: Any) -> DayReconciliation:
    return DayReconciliation(
        institution_code=row.institution_code,
        day=row.day,
        declared=_totals("declared", row),
        computed=_totals("computed", row),
        reconciled_at=row.reconciled_at,
    )
