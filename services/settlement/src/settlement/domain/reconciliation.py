"""Daily reconciliation with a hospital (national codes 3201 totals, 3202 bill detail) and the
period totals clearing reconciles against.

A day's ledger holds every settlement of the day and every reversal of the day; a reversal
counts -1 and its amounts negatively, on the day (and in the period) it happened. Totals are
thus exactly the sums of the day's BillSettled and BillReversed events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from medins_common.money import ZERO
from settlement.domain.bill import Bill
from settlement.domain.errors import EntryListedTwice

COMPARED_AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "cash")


@dataclass(frozen=True)
class LedgerEntry:
    """One settlement (``reversal`` False) or reversal (True) as both sides record it."""

    setl_id: str
    reversal: bool
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    cash: Decimal

    @property
    def key(self) -> tuple[str, bool]:
        return (self.setl_id, self.reversal)


@dataclass(frozen=True)
class DayTotals:
    count: int
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    cash: Decimal

    @classmethod
    def of(cls, entries: Iterable[LedgerEntry]) -> DayTotals:
        count, medfee, fund, cash = 0, ZERO, ZERO, ZERO
        for entry in entries:
            sign = -1 if entry.reversal else 1
            count += sign
            medfee += sign * entry.medfee_sumamt
            fund += sign * entry.fund_pay_sumamt
            cash += sign * entry.cash
        return cls(count=count, medfee_sumamt=medfee, fund_pay_sumamt=fund, cash=cash)


@dataclass(frozen=True)
class DayReconciliation:
    """A hospital's declared totals of a day (3201) against settlement's own."""

    institution_code: str
    day: date
    declared: DayTotals
    computed: DayTotals
    reconciled_at: datetime

    @property
    def result(self) -> str:
        return "match" if self.declared == self.computed else "mismatch"


@dataclass(frozen=True)
class FieldDifference:
    field: str
    hospital: Decimal
    ours: Decimal


@dataclass(frozen=True)
class EntryDifference:
    setl_id: str
    reversal: bool
    kind: str  # missing_on_our_side | missing_on_hospital_side | amounts_differ
    fields: tuple[FieldDifference, ...] = ()


def ledger_of_day(bills: Iterable[Bill], day: date) -> list[LedgerEntry]:
    entries = []
    for bill in bills:
        amounts = bill.quote.amounts
        for reversal, moment in ((False, bill.settled_at), (True, _reversed_at(bill))):
            if moment is not None and moment.date() == day:
                entries.append(
                    LedgerEntry(
                        setl_id=bill.setl_id,
                        reversal=reversal,
                        medfee_sumamt=amounts.medfee_sumamt,
                        fund_pay_sumamt=amounts.fund_pay_sumamt,
                        cash=amounts.psn_cash_pay,
                    )
                )
    return entries


def _reversed_at(bill: Bill) -> datetime | None:
    return bill.reversal.reversed_at if bill.reversal else None


def check_listed_once(entries: Sequence[LedgerEntry]) -> None:
    """A hospital's list names each settlement and each reversal once."""
    seen: set[tuple[str, bool]] = set()
    for position, entry in enumerate(entries):
        if entry.key in seen:
            raise EntryListedTwice(
                f"Settlement {entry.setl_id} ({'reversal' if entry.reversal else 'settlement'}) "
                "is listed twice.",
                field=f"bills[{position}].setl_id",
            )
        seen.add(entry.key)


def compare_ledgers(
    *, ours: Sequence[LedgerEntry], hospital: Sequence[LedgerEntry]
) -> list[EntryDifference]:
    """Exactly which entries differ and how (3202): missing on one side, or amounts."""
    our_entries = {entry.key: entry for entry in ours}
    their_entries = {entry.key: entry for entry in hospital}
    differences = []
    for key in sorted(our_entries.keys() | their_entries.keys()):
        mine, theirs = our_entries.get(key), their_entries.get(key)
        if mine is None:
            differences.append(EntryDifference(key[0], key[1], "missing_on_our_side"))
        elif theirs is None:
            differences.append(EntryDifference(key[0], key[1], "missing_on_hospital_side"))
        else:
            fields = tuple(
                FieldDifference(name, getattr(theirs, name), getattr(mine, name))
                for name in COMPARED_AMOUNTS
                if getattr(theirs, name) != getattr(mine, name)
            )
            if fields:
                differences.append(EntryDifference(key[0], key[1], "amounts_differ", fields))
    return differences


@dataclass(frozen=True)
class PairTotals:
    """A period's net totals for one (insured region, treatment region) pair."""

    insured_region: str
    treatment_region: str
    settled_count: int
    reversed_count: int
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    psn_part_amt: Decimal
    psn_cash_pay: Decimal


@dataclass(frozen=True)
class PeriodEntry:
    """A settlement or a reversal as it counts in a clearing period."""

    bill_id: str
    kind: str  # settled | reversed
    institution_code: str
    setl_id: str
    insured_region: str
    treatment_region: str
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    psn_cash_pay: Decimal
    at: datetime
