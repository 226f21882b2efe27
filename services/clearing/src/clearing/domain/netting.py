"""Netting a closed period per region pair and per institution: the clearing statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple, Protocol

from clearing.domain.ledger import EntryKind
from medins_common.money import ZERO

Pair = tuple[str, str]  # (insured region, treatment region)


class PostedGroup(NamedTuple):
    """Bill entries of one booking period that share a pair, institution, kind and periods (a
    month has thousands of groups: a plain tuple is the cheapest to build)."""

    insured_region: str
    treatment_region: str
    institution_code: str
    kind: EntryKind
    event_period: str
    original_period: str
    count: int
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    psn_cash_pay: Decimal

    @property
    def pair(self) -> Pair:
        return (self.insured_region, self.treatment_region)

    @property
    def psn_part_amt(self) -> Decimal:
        """Every posted bill satisfies psn_part_amt = medfee_sumamt − fund_pay_sumamt."""
        return self.medfee_sumamt - self.fund_pay_sumamt


@dataclass(frozen=True, slots=True)
class Figures:
    """Counts and net amounts (settled minus reversed)."""

    settled_count: int = 0
    reversed_count: int = 0
    medfee_sumamt: Decimal = ZERO
    fund_pay_sumamt: Decimal = ZERO
    psn_part_amt: Decimal = ZERO
    psn_cash_pay: Decimal = ZERO


_REVERSED = EntryKind.BILL_REVERSED  # looked up once, not for each of a month's groups


class Tally:
    """Adds posted groups up into Figures (a month has thousands of groups: kept lean)."""

    __slots__ = ("cash", "fund", "medfee", "reversed", "settled")

    def __init__(self) -> None:
        self.settled = self.reversed = 0
        self.medfee = self.fund = self.cash = ZERO

    def add(self, group: PostedGroup) -> None:
        if group.kind is _REVERSED:
            self.reversed += group.count
            self.medfee -= group.medfee_sumamt
            self.fund -= group.fund_pay_sumamt
            self.cash -= group.psn_cash_pay
        else:
            self.settled += group.count
            self.medfee += group.medfee_sumamt
            self.fund += group.fund_pay_sumamt
            self.cash += group.psn_cash_pay

    def figures(self) -> Figures:
        return Figures(
            settled_count=self.settled,
            reversed_count=self.reversed,
            medfee_sumamt=self.medfee,
            fund_pay_sumamt=self.fund,
            psn_part_amt=self.medfee - self.fund,
            psn_cash_pay=self.cash,
        )


def tally(groups: Iterable[PostedGroup]) -> Figures:
    total = Tally()
    for group in groups:
        total.add(group)
    return total.figures()


@dataclass(frozen=True)
class InstitutionLine:
    institution_code: str
    figures: Figures


@dataclass(frozen=True)
class StatementDraft:
    """What the insured region owes the treatment region for one period."""

    insured_region: str
    treatment_region: str
    figures: Figures
    adjustments: Figures  # the part booked here for bills of earlier, closed periods

    @property
    def amount_due(self) -> Decimal:
        return self.figures.fund_pay_sumamt


def net_statements(period: str, groups: Iterable[PostedGroup]) -> list[StatementDraft]:
    """One statement per pair with postings in ``period``."""
    totals: dict[Pair, Tally] = defaultdict(Tally)
    adjustments: dict[Pair, Tally] = defaultdict(Tally)
    for group in groups:
        totals[group.pair].add(group)
        if group.original_period != period:
            adjustments[group.pair].add(group)
    no_adjustments = Figures()
    return [
        StatementDraft(
            insured_region=pair[0],
            treatment_region=pair[1],
            figures=totals[pair].figures(),
            adjustments=adjustments[pair].figures() if pair in adjustments else no_adjustments,
        )
        for pair in sorted(totals)
    ]


def institution_lines(groups: Iterable[PostedGroup]) -> tuple[InstitutionLine, ...]:
    """A statement's lines: its pair's groups per institution, sorted by code."""
    lines: dict[str, Tally] = defaultdict(Tally)
    for group in groups:
        lines[group.institution_code].add(group)
    return tuple(InstitutionLine(code, line.figures()) for code, line in sorted(lines.items()))


class Owed(Protocol):
    """A statement, drafted or stored: who owes whom how much."""

    insured_region: str
    treatment_region: str

    @property
    def amount_due(self) -> Decimal: ...


@dataclass(frozen=True)
class RegionPosition:
    """A region's net position in the period: owed to it as treatment place minus what it
    owes as insured place. The positions of all regions sum to zero."""

    region: str
    receivable: Decimal = ZERO
    payable: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.receivable - self.payable


def region_positions(statements: Iterable[Owed]) -> list[RegionPosition]:
    positions: dict[str, RegionPosition] = {}
    for statement in statements:
        due = statement.amount_due
        payer = positions.get(statement.insured_region, RegionPosition(statement.insured_region))
        positions[payer.region] = replace(payer, payable=payer.payable + due)
        payee = positions.get(
            statement.treatment_region, RegionPosition(statement.treatment_region)
        )
        positions[payee.region] = replace(payee, receivable=payee.receivable + due)
    return [positions[region] for region in sorted(positions)]
