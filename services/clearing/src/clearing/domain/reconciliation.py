"""Three-way reconciliation before a period closes (DOMAIN.md: hospitals reconcile daily,
3201/3202; the monthly clearing nets what was used).

The clearing ledger is held against settlement's period totals per pair, drilling down to the
bills of every pair that differs, and against what hospitals declared in their daily
reconciliations: per institution and month first, day by day for every institution whose month
differs; settlement's own verdict on each declared day (declared against computed) is listed
too. Every difference carries its key, so someone can fix exactly that bill, pair or day.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from clearing.domain.ledger import EntryKind
from clearing.domain.netting import Figures, Pair, PostedGroup, Tally
from medins_common.money import ZERO, money_str


class DifferenceKind(StrEnum):
    SETTLEMENT_UNAVAILABLE = "settlement_unavailable"  # an endpoint did not answer usefully
    TOTALS_MISMATCH = "totals_mismatch"  # a pair's totals differ from settlement's
    MISSING_IN_LEDGER = "missing_in_ledger"  # settlement has the bill, the ledger does not
    MISSING_IN_SETTLEMENT = "missing_in_settlement"  # the ledger has it, settlement does not
    AMOUNT_MISMATCH = "amount_mismatch"  # both have the bill, with other amounts
    DUPLICATE = "duplicate"  # settlement lists the same bill twice
    PARKED_EVENT = "parked_event"  # an event of the period could not be posted
    HOSPITAL_DECLARATION_MISMATCH = "hospital_declaration_mismatch"  # declared ≠ computed
    HOSPITAL_LEDGER_MISMATCH = "hospital_ledger_mismatch"  # declared ≠ the ledger's day
    HOSPITAL_DAY_UNDECLARED = "hospital_day_undeclared"  # bills on a day nobody declared


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    key: dict[str, str]
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BillLine:
    """One settled or reversed bill, as the ledger or settlement lists it."""

    bill_id: str
    kind: EntryKind
    institution_code: str
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    psn_cash_pay: Decimal


@dataclass(frozen=True, slots=True)  # a month has thousands: no __dict__ each
class DayFigures:
    """One institution's day, as 3201 totals it: reversals count −1, their amounts negatively."""

    count: int = 0
    medfee_sumamt: Decimal = ZERO
    fund_pay_sumamt: Decimal = ZERO
    cash: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class HospitalDay:
    institution_code: str
    day: date
    declared: DayFigures
    computed: DayFigures
    result: Literal["match", "mismatch"]  # settlement's verdict


DayKey = tuple[str, date]  # (institution code, day)


def ledger_pair_totals(period: str, groups: Iterable[PostedGroup]) -> dict[Pair, Figures]:
    """The ledger's side of settlement's totals: the events that count in ``period``.

    Adjustments booked here for earlier periods count in their own period at settlement.
    """
    totals: dict[Pair, Tally] = defaultdict(Tally)
    for group in groups:
        if group.event_period == period:
            totals[group.pair].add(group)
    return {pair: tally.figures() for pair, tally in totals.items()}


def compare_totals(
    ledger: Mapping[Pair, Figures], settlement: Mapping[Pair, Figures]
) -> list[Difference]:
    differences = []
    for pair in sorted(ledger.keys() | settlement.keys()):
        ours, theirs = ledger.get(pair, Figures()), settlement.get(pair, Figures())
        if ours != theirs:
            differences.append(
                Difference(
                    DifferenceKind.TOTALS_MISMATCH,
                    _pair_key(pair),
                    {"ledger": _plain(ours), "settlement": _plain(theirs)},
                )
            )
    return differences


def compare_bills(
    pair: Pair, *, ledger: Sequence[BillLine], settlement: Sequence[BillLine]
) -> list[Difference]:
    """3202-style detail for one pair: which bills are missing, differ or repeat."""
    listed = Counter((bill.kind, bill.bill_id) for bill in settlement)
    ours = {(bill.kind, bill.bill_id): bill for bill in ledger}
    theirs = {(bill.kind, bill.bill_id): bill for bill in settlement}
    differences = []
    for key in sorted(ours.keys() | theirs.keys()):
        mine, other = ours.get(key), theirs.get(key)  # at least one of them is there
        bill_key = {**_pair_key(pair), "bill_id": key[1], "kind": key[0].value}
        if listed[key] > 1:
            differences.append(
                Difference(DifferenceKind.DUPLICATE, bill_key, {"times_listed": listed[key]})
            )
        if mine is None:
            differences.append(
                Difference(
                    DifferenceKind.MISSING_IN_LEDGER,
                    bill_key,
                    {"settlement": _bill(other)},  # type: ignore[arg-type]
                )
            )
        elif other is None:
            differences.append(
                Difference(DifferenceKind.MISSING_IN_SETTLEMENT, bill_key, {"ledger": _bill(mine)})
            )
        elif _bill(mine) != _bill(other):
            differences.append(
                Difference(
                    DifferenceKind.AMOUNT_MISMATCH,
                    bill_key,
                    {"ledger": _bill(mine), "settlement": _bill(other)},
                )
            )
    return differences


def institution_months(period: str, groups: Iterable[PostedGroup]) -> dict[str, DayFigures]:
    """The ledger's month per institution, as the sum of its 3201 days would give it."""
    months: dict[str, Tally] = defaultdict(Tally)
    for group in groups:
        if group.event_period == period:
            months[group.institution_code].add(group)
    return {code: _day_figures(tally.figures()) for code, tally in months.items()}


def declared_months(days: Iterable[HospitalDay]) -> dict[str, DayFigures]:
    months: dict[str, list[Any]] = defaultdict(lambda: [0, ZERO, ZERO, ZERO])
    for day in days:
        month, declared = months[day.institution_code], day.declared
        month[0] += declared.count
        month[1] += declared.medfee_sumamt
        month[2] += declared.fund_pay_sumamt
        month[3] += declared.cash
    return {code: DayFigures(*month) for code, month in months.items()}


def institutions_to_drill(
    ledger: Mapping[str, DayFigures], declared: Mapping[str, DayFigures]
) -> set[str]:
    """Institutions whose month differs from what they declared: their days are compared."""
    return {
        code
        for code in ledger.keys() | declared.keys()
        if ledger.get(code, DayFigures()) != declared.get(code, DayFigures())
    }


def declaration_verdicts(days: Sequence[HospitalDay]) -> list[Difference]:
    """Days where what a hospital declared differs from what settlement computed."""
    return [
        Difference(
            DifferenceKind.HOSPITAL_DECLARATION_MISMATCH,
            _day_key(day.institution_code, day.day),
            {
                "declared": _plain(day.declared),
                "computed": _plain(day.computed),
                "result": day.result,
            },
        )
        for day in sorted(
            (day for day in days if day.result != "match" or day.declared != day.computed),
            key=lambda day: (day.institution_code, day.day),
        )
    ]


def compare_hospital_days(
    ledger: Mapping[DayKey, DayFigures], days: Sequence[HospitalDay]
) -> list[Difference]:
    """Day by day, what hospitals declared against the ledger; days nobody declared."""
    differences = []
    declared = {(day.institution_code, day.day): day.declared for day in days}
    for key in sorted(ledger.keys() | declared.keys()):
        ours, theirs = ledger.get(key, DayFigures()), declared.get(key)
        if theirs is None:
            differences.append(
                Difference(
                    DifferenceKind.HOSPITAL_DAY_UNDECLARED, _day_key(*key), {"ledger": _plain(ours)}
                )
            )
        elif theirs != ours:
            differences.append(
                Difference(
                    DifferenceKind.HOSPITAL_LEDGER_MISMATCH,
                    _day_key(*key),
                    {"declared": _plain(theirs), "ledger": _plain(ours)},
                )
            )
    return differences


def _day_key(institution_code: str, day: date) -> dict[str, str]:
    return {"institution_code": institution_code, "day": day.isoformat()}


def _day_figures(figures: Figures) -> DayFigures:
    return DayFigures(
        count=figures.settled_count - figures.reversed_count,
        medfee_sumamt=figures.medfee_sumamt,
        fund_pay_sumamt=figures.fund_pay_sumamt,
        cash=figures.psn_cash_pay,
    )


def settlement_unavailable(endpoint: str, reason: str) -> Difference:
    return Difference(
        DifferenceKind.SETTLEMENT_UNAVAILABLE, {"endpoint": endpoint}, {"reason": reason}
    )


def _pair_key(pair: Pair) -> dict[str, str]:
    return {"insured_region": pair[0], "treatment_region": pair[1]}


def _bill(bill: BillLine) -> dict[str, Any]:
    return {
        "institution_code": bill.institution_code,
        **{
            name: money_str(getattr(bill, name))
            for name in ("medfee_sumamt", "fund_pay_sumamt", "psn_cash_pay")
        },
    }


def _plain(figures: Figures | DayFigures) -> dict[str, Any]:
    """Counts as numbers, amounts as strings with two decimals: ready for JSON."""
    values = asdict(figures)
    return {
        item.name: money_str(values[item.name])
        if isinstance(values[item.name], Decimal)
        else values[item.name]
        for item in fields(figures)
    }
