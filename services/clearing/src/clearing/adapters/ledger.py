"""The ledger in and out of the database.

Bill postings are queued while an inbox batch is applied and written when it commits: one
INSERT for the entries (a bill key already posted is skipped by ON CONFLICT DO NOTHING) and one
for their lines. The inbox applies a fetched batch in one transaction; two statements per batch
instead of two per event is what lets the consumer keep up with a month of bills.
"""

from __future__ import annotations

import calendar
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, event, func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from clearing.adapters.tables import (
    NOT_A_PLAIN_BILL,
    closed_periods,
    ledger_entries,
    ledger_lines,
    parked_events,
)
from clearing.domain.ledger import (
    BILL_KINDS,
    Account,
    BillPosting,
    EntryKind,
    PairBalances,
    Side,
    TrialBalanceRow,
    lines_for,
)
from clearing.domain.netting import Pair, PostedGroup
from clearing.domain.periods import first_open_period
from clearing.domain.reconciliation import BillLine, DayFigures, DayKey
from medins_common import timeutil
from medins_common.db import dialect_insert
from medins_common.money import ZERO

log = logging.getLogger(__name__)

_QUEUE = "clearing.queued_bills"
_ROUTES = "clearing.booking_periods"
_PERIOD_LOCKS = 0x434C  # "CL": the advisory-lock namespace of clearing periods (PostgreSQL)

E, L = ledger_entries.c, ledger_lines.c
_BILL_KIND_VALUES = [kind.value for kind in BILL_KINDS]


# -- periods: open, closed, and where a posting lands -------------------------------------------


async def hold_period_open(session: AsyncSession, period: str) -> None:
    """Until this transaction ends, ``period`` cannot be closed under it.

    PostgreSQL: a shared advisory lock, which the closing run takes exclusively. SQLite: every
    writing transaction is alone anyway (BEGIN IMMEDIATE).
    """
    await _period_lock(session, period, "pg_advisory_xact_lock_shared")


async def hold_period_for_closing(session: AsyncSession, period: str) -> None:
    """Wait for the transactions posting into ``period``; keep new ones out until commit."""
    await _period_lock(session, period, "pg_advisory_xact_lock")


async def _period_lock(session: AsyncSession, period: str, function: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text(f"SELECT {function}(:namespace, :key)"),
            {"namespace": _PERIOD_LOCKS, "key": int(period.replace("-", ""))},
        )


async def booking_period(session: AsyncSession, period: str) -> str:
    """The first open period from ``period`` on, held open until this transaction ends."""
    routes: dict[str, str] = session.info.setdefault(_ROUTES, {})
    if period not in routes:
        candidate = period
        while True:
            await hold_period_open(session, candidate)
            closed = set(
                await session.scalars(
                    select(closed_periods.c.period).where(closed_periods.c.period >= candidate)
                )
            )
            target = first_open_period(candidate, closed)
            if target == candidate:
                break
            candidate = target
        routes[period] = candidate
    return routes[period]


async def is_closed(session: AsyncSession, period: str) -> bool:
    found = await session.scalar(
        select(closed_periods.c.period).where(closed_periods.c.period == period)
    )
    return found is not None


async def close_period(session: AsyncSession, *, period: str, run_id: str) -> None:
    await session.execute(
        insert(closed_periods).values(period=period, run_id=run_id, closed_at=timeutil.now())
    )


# -- posting bills --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedBill:
    posting: BillPosting
    period: str  # where it is booked
    event_id: str
    event_type: str


def queue_bill(session: AsyncSession, bill: QueuedBill) -> None:
    """Post the bill when this transaction commits (see the module's docstring)."""
    queued: list[QueuedBill] | None = session.info.get(_QUEUE)
    if queued is None:
        queued = session.info[_QUEUE] = []
        event.listen(session.sync_session, "before_commit", _write_queued)
    queued.append(bill)


def _write_queued(session: Session) -> None:
    queued: list[QueuedBill] = session.info.pop(_QUEUE, [])
    if not queued:
        return
    connection = session.connection()
    moment = timeutil.now()
    rejected = _reversals_of_other_amounts(connection, queued)
    candidates = [item for item in queued if item not in rejected]
    inserted = (
        connection.execute(
            dialect_insert(connection, ledger_entries)
            .on_conflict_do_nothing()
            .returning(E.entry_id, E.kind, E.amount, E.event_id),
            [_bill_row(item, moment) for item in candidates],
        ).all()
        if candidates
        else []
    )
    if inserted:
        connection.execute(
            insert(ledger_lines),
            [
                line
                for row in inserted
                for line in _line_rows(row.entry_id, EntryKind(row.kind), row.amount)
            ],
        )
    posted_events = {row.event_id for row in inserted}
    repeats = [item for item in candidates if item.event_id not in posted_events]
    rejected.update(_conflicting_repeats(connection, repeats))
    if rejected:
        connection.execute(
            insert(parked_events),
            [
                _parked_row(
                    event_id=item.event_id,
                    event_type=item.event_type,
                    bill_id=item.posting.bill_id,
                    period=item.posting.event_period,
                    reason=reason,
                    detail=detail,
                    payload=_posting_payload(item.posting),
                    moment=moment,
                )
                for item, (reason, detail) in rejected.items()
            ],
        )
        for item, (reason, _detail) in rejected.items():
            log.warning("parked %s of bill %s: %s", item.event_type, item.posting.bill_id, reason)


def _reversals_of_other_amounts(
    connection: Connection, queued: Sequence[QueuedBill]
) -> dict[QueuedBill, tuple[str, str]]:
    """A reversal carries its bill's amounts (the contract); other amounts mean corruption."""
    reversals = [item for item in queued if item.posting.kind is EntryKind.BILL_REVERSED]
    if not reversals:
        return {}
    bills = {
        source_id: amounts
        for (_kind, source_id), amounts in _stored_amounts(
            connection, [(EntryKind.BILL_SETTLED.value, item.posting.bill_id) for item in reversals]
        ).items()
    }
    for item in queued:
        if item.posting.kind is EntryKind.BILL_SETTLED:
            bills.setdefault(item.posting.bill_id, item.posting.amounts)
    return {
        item: (
            "reversal_amounts_differ",
            f"The bill was posted with amounts {_shown(bills[item.posting.bill_id])}; "
            f"its reversal says {_shown(item.posting.amounts)}.",
        )
        for item in reversals
        if bills.get(item.posting.bill_id, item.posting.amounts) != item.posting.amounts
    }


def _conflicting_repeats(
    connection: Connection, repeats: Sequence[QueuedBill]
) -> dict[QueuedBill, tuple[str, str]]:
    """A bill key posted before: the same amounts are a harmless repeat, others are parked."""
    if not repeats:
        return {}
    stored = _stored_amounts(connection, [item.posting.key for item in repeats])
    conflicting = {}
    for item in repeats:
        posted = stored[item.posting.key]
        if posted == item.posting.amounts:
            log.info("bill %s %s was posted already", item.posting.kind, item.posting.bill_id)
        else:
            conflicting[item] = (
                "conflicting_duplicate",
                f"{item.posting.kind.value} {item.posting.bill_id} was posted with amounts "
                f"{_shown(posted)}; this event says {_shown(item.posting.amounts)}.",
            )
    return conflicting


def _stored_amounts(
    connection: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[Decimal, ...]]:
    rows = connection.execute(
        select(
            E.kind,
            E.source_id,
            E.medfee_sumamt,
            E.amount,
            E.psn_part_amt,
            E.acct_pay,
            E.psn_cash_pay,
        ).where(tuple_(E.kind, E.source_id).in_(list(dict.fromkeys(keys))))
    )
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def _shown(amounts: tuple[Decimal, ...]) -> str:
    return "/".join(str(amount) for amount in amounts)


def _bill_row(item: QueuedBill, moment: datetime) -> dict[str, Any]:
    posting = item.posting
    return {
        "kind": posting.kind.value,
        "source_id": posting.bill_id,
        "period": item.period,
        "insured_region": posting.insured_region,
        "treatment_region": posting.treatment_region,
        "amount": posting.fund_pay_sumamt,
        "event_period": posting.event_period,
        "original_period": posting.original_period,
        "institution_code": posting.institution_code,
        "setl_id": posting.setl_id,
        "occurred_at": posting.at,
        "day": posting.day,
        "medfee_sumamt": posting.medfee_sumamt,
        "psn_part_amt": posting.psn_part_amt,
        "acct_pay": posting.acct_pay,
        "psn_cash_pay": posting.psn_cash_pay,
        "event_id": item.event_id,
        "memo": None,
        "recorded_by": None,
        "posted_at": moment,
    }


def _line_rows(entry_id: int, kind: EntryKind, amount: Decimal) -> list[dict[str, Any]]:
    return [
        {
            "entry_id": entry_id,
            "account": line.account.value,
            "side": line.side.value,
            "amount": line.amount,
        }
        for line in lines_for(kind, amount)
    ]


def _posting_payload(posting: BillPosting) -> str:
    return json.dumps(
        {name: str(value) for name, value in vars(posting).items()}, ensure_ascii=False
    )


# -- parking --------------------------------------------------------------------------------------


async def park(
    session: AsyncSession,
    *,
    event_id: str,
    event_type: str,
    bill_id: str,
    period: str,
    reason: str,
    detail: str,
    payload: str,
) -> None:
    await session.execute(
        insert(parked_events).values(
            _parked_row(
                event_id=event_id,
                event_type=event_type,
                bill_id=bill_id,
                period=period,
                reason=reason,
                detail=detail,
                payload=payload,
                moment=timeutil.now(),
            )
        )
    )


def _parked_row(
    *,
    event_id: str,
    event_type: str,
    bill_id: str,
    period: str,
    reason: str,
    detail: str,
    payload: str,
    moment: datetime,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": event_type,
        "bill_id": bill_id[:64],
        "period": str(period)[:40],
        "reason": reason,
        "detail": detail,
        "payload": payload,
        "parked_at": moment,
    }


async def parked(session: AsyncSession, *, period: str | None = None) -> list[Any]:
    query = select(parked_events).order_by(parked_events.c.parked_id)
    if period is not None:
        query = query.where(parked_events.c.period == period)
    return list((await session.execute(query)).all())


# -- other entries: advances and payments ---------------------------------------------------------


async def post_entry(
    session: AsyncSession,
    *,
    kind: EntryKind,
    source_id: str,
    pair: Pair,
    amount: Decimal,
    memo: str | None,
    recorded_by: str,
) -> str:
    """Post a non-bill entry in the current open period; return that period."""
    period = await booking_period(session, timeutil.period_of(timeutil.now()))
    entry_id = await session.scalar(
        insert(ledger_entries)
        .values(
            kind=kind.value,
            source_id=source_id,
            period=period,
            insured_region=pair[0],
            treatment_region=pair[1],
            amount=amount,
            memo=memo,
            recorded_by=recorded_by,
            posted_at=timeutil.now(),
        )
        .returning(E.entry_id)
    )
    await session.execute(insert(ledger_lines), _line_rows(entry_id, kind, amount))
    return period


# -- reading --------------------------------------------------------------------------------------


def _net_debit() -> Any:
    return func.sum(case((L.side == Side.DEBIT.value, L.amount), else_=-L.amount))


async def pair_balances(
    session: AsyncSession, pairs: Iterable[Pair] | None = None
) -> dict[Pair, PairBalances]:
    """Debit minus credit per account, for the given pairs (default: every pair)."""
    query = (
        select(E.insured_region, E.treatment_region, L.account, _net_debit())
        .join(ledger_entries, ledger_entries.c.entry_id == L.entry_id)
        .group_by(E.insured_region, E.treatment_region, L.account)
    )
    if pairs is not None:
        query = query.where(tuple_(E.insured_region, E.treatment_region).in_(list(pairs)))
    balances: dict[Pair, dict[Account, Decimal]] = {}
    for insured, treatment, account, net in await session.execute(query):
        balances.setdefault((insured, treatment), {})[Account(account)] = net
    return {pair: PairBalances(accounts) for pair, accounts in balances.items()}


async def advance_movements(session: AsyncSession, pair: Pair) -> list[Any]:
    kinds = [EntryKind.ADVANCE_PAYMENT.value, EntryKind.ADVANCE_ADJUSTMENT.value]
    return list(
        (
            await session.execute(
                select(E.source_id, E.kind, E.amount, E.period, E.memo, E.recorded_by, E.posted_at)
                .where(
                    E.insured_region == pair[0], E.treatment_region == pair[1], E.kind.in_(kinds)
                )
                .order_by(E.entry_id.desc())
            )
        ).all()
    )


async def trial_balance(
    session: AsyncSession, *, period: str | None = None
) -> list[TrialBalanceRow]:
    """Debits and credits per period and pair, from the lines themselves."""
    debits = func.sum(case((L.side == Side.DEBIT.value, L.amount), else_=0))
    credits = func.sum(case((L.side == Side.CREDIT.value, L.amount), else_=0))
    query = (
        select(E.period, E.insured_region, E.treatment_region, debits, credits)
        .join(ledger_entries, ledger_entries.c.entry_id == L.entry_id)
        .group_by(E.period, E.insured_region, E.treatment_region)
        .order_by(E.period, E.insured_region, E.treatment_region)
    )
    if period is not None:
        query = query.where(E.period == period)
    return [
        TrialBalanceRow(
            period=row[0],
            insured_region=row[1],
            treatment_region=row[2],
            debits=row[3],
            credits=row[4],
        )
        for row in await session.execute(query)
    ]


async def count_bill_entries(session: AsyncSession, period: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(E.period == period, E.kind.in_(_BILL_KIND_VALUES))
        )
        or 0
    )


async def posted_groups(
    session: AsyncSession, period: str, pair: Pair | None = None
) -> list[PostedGroup]:
    """The bill entries booked in ``period`` (of one pair, if given), summed per pair,
    institution, kind and periods.

    The heaviest reading of a clearing run, in two queries that agree while the period cannot
    change (held for closing, or closed): the few entries that are not plain bills, grouped in
    full through their partial index (``NOT_A_PLAIN_BILL``), and one pass over the whole period
    summed per pair and institution only, whose sums less those entries' are the plain bills.
    Grouping a month by three columns instead of six is what keeps the pass close to a plain
    aggregate. No sum that can be derived is asked for.
    """
    where = [
        E.period == period,
        *(() if pair is None else (E.insured_region == pair[0], E.treatment_region == pair[1])),
    ]
    place = (E.insured_region, E.treatment_region, E.institution_code)
    sums = (func.count(), func.sum(E.medfee_sumamt), func.sum(E.amount), func.sum(E.psn_cash_pay))
    others = (*place, E.kind, E.event_period, E.original_period)
    groups = []
    not_plain: dict[tuple[str, str, str], list[Any]] = defaultdict(lambda: [0, ZERO, ZERO, ZERO])
    for row in await session.execute(
        select(*others, *sums).where(*where, NOT_A_PLAIN_BILL).group_by(*others)
    ):
        taken = not_plain[row[:3]]
        for index, value in enumerate(row[6:]):
            if value is not None:  # advances and payments carry no bill amounts
                taken[index] += value
        if row[3] in _BILL_KIND_VALUES:
            groups.append(PostedGroup(*row[:3], EntryKind(row[3]), *row[4:]))
    settled = EntryKind.BILL_SETTLED
    rows = (await session.execute(select(*place, *sums).where(*where).group_by(*place))).all()
    for row in rows:
        count, medfee, fund, cash = row[3:]
        taken = not_plain.get(row[:3]) if not_plain else None
        if taken is not None:
            count -= taken[0]
            if count:
                medfee, fund, cash = medfee - taken[1], fund - taken[2], cash - taken[3]
        if count:
            groups.append(PostedGroup(*row[:3], settled, period, period, count, medfee, fund, cash))
    return groups


async def hospital_days(
    session: AsyncSession, period: str, institutions: Iterable[str]
) -> dict[DayKey, DayFigures]:
    """Per day of the month ``period``, the bills of these institutions (3201 totals).

    As settlement's days: every bill of the day, whichever period it was booked in; while the
    period is open, that is the period's entries dated in its month.
    """
    year, month = (int(part) for part in period.split("-"))
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    reversal = E.kind == EntryKind.BILL_REVERSED.value

    def net(column: Any) -> Any:  # the amount's own type, so the sum comes back in yuan
        return func.sum(case((reversal, -column), else_=column))

    rows = await session.execute(
        select(
            E.institution_code,
            E.day,
            func.sum(case((reversal, -1), else_=1)),
            net(E.medfee_sumamt),
            net(E.amount),
            net(E.psn_cash_pay),
        )
        .where(
            E.period == period,
            E.day.between(first, last),
            E.kind.in_(_BILL_KIND_VALUES),
            E.institution_code.in_(list(institutions)),
        )
        .group_by(E.institution_code, E.day)
    )
    return {
        (row[0], row[1]): DayFigures(
            count=int(row[2]), medfee_sumamt=row[3], fund_pay_sumamt=row[4], cash=row[5]
        )
        for row in rows
    }


async def bill_lines(session: AsyncSession, period: str, pair: Pair) -> list[BillLine]:
    rows = await session.execute(
        select(
            E.source_id, E.kind, E.institution_code, E.medfee_sumamt, E.amount, E.psn_cash_pay
        ).where(
            E.period == period,
            E.event_period == period,
            E.insured_region == pair[0],
            E.treatment_region == pair[1],
            E.kind.in_(_BILL_KIND_VALUES),
        )
    )
    return [
        BillLine(
            bill_id=row[0],
            kind=EntryKind(row[1]),
            institution_code=row[2],
            medfee_sumamt=row[3],
            fund_pay_sumamt=row[4],
            psn_cash_pay=row[5],
        )
        for row in rows
    ]


async def last_entry_id(session: AsyncSession) -> int:
    """The ledger's high-water mark: entries are only ever added, with rising ids."""
    return int(await session.scalar(select(func.max(E.entry_id))) or 0)


async def bills_posted_after(session: AsyncSession, period: str, entry_id: int) -> bool:
    found = await session.scalar(
        select(E.entry_id)
        .where(E.entry_id > entry_id, E.period == period, E.kind.in_(_BILL_KIND_VALUES))
        .limit(1)
    )
    return found is not None


async def last_advances(
    session: AsyncSession, pairs: Sequence[Pair] | None = None
) -> dict[Pair, Decimal]:
    """The most recent advance payment of each pair."""
    query = (
        select(E.insured_region, E.treatment_region, E.amount)
        .where(E.kind == EntryKind.ADVANCE_PAYMENT.value)
        .order_by(E.entry_id)
    )
    if pairs is not None:
        query = query.where(tuple_(E.insured_region, E.treatment_region).in_(list(pairs)))
    return {
        (insured, treatment): amount for insured, treatment, amount in await session.execute(query)
    }
