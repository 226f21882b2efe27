"""Daily reconciliation with hospitals (national codes 3201 and 3202)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from medins_common import timeutil
from medins_common.errors import RuleViolation
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import bills, ledger
from settlement.domain.reconciliation import (
    DayReconciliation,
    DayTotals,
    EntryDifference,
    LedgerEntry,
    check_listed_once,
    compare_ledgers,
    ledger_of_day,
)


@dataclass(frozen=True)
class DayComparison:
    institution_code: str
    day: date
    hospital: DayTotals
    computed: DayTotals
    differences: list[EntryDifference]

    @property
    def result(self) -> str:
        return "mismatch" if self.differences else "match"


async def reconcile_day(
    uow: UnitOfWork, *, institution_code: str, day: date, declared: DayTotals
) -> DayReconciliation:
    """3201: the hospital's totals of a day against ours; the answer is stored either way."""
    _refuse_future(day)
    async with uow:
        computed = DayTotals.of(await _ledger(uow, institution_code=institution_code, day=day))
        reconciliation = DayReconciliation(
            institution_code=institution_code,
            day=day,
            declared=declared,
            computed=computed,
            reconciled_at=timeutil.now(),
        )
        await ledger.save_reconciliation(uow.session, reconciliation)
        await uow.commit()
    return reconciliation


async def compare_day(
    uow: UnitOfWork, *, institution_code: str, day: date, hospital: Sequence[LedgerEntry]
) -> DayComparison:
    """3202: the hospital's settlements and reversals of a day against ours, entry by entry."""
    _refuse_future(day)
    check_listed_once(hospital)
    async with uow:
        ours = await _ledger(uow, institution_code=institution_code, day=day)
    return DayComparison(
        institution_code=institution_code,
        day=day,
        hospital=DayTotals.of(hospital),
        computed=DayTotals.of(ours),
        differences=compare_ledgers(ours=ours, hospital=hospital),
    )


async def _ledger(uow: UnitOfWork, *, institution_code: str, day: date) -> list[LedgerEntry]:
    return ledger_of_day(
        await bills.of_day(uow.session, institution_code=institution_code, day=day), day
    )


def _refuse_future(day: date) -> None:
    if day > timeutil.today():
        raise RuleViolation(
            f"{day} has not come yet (Asia/Shanghai).", code="day_in_future", field="day"
        )
