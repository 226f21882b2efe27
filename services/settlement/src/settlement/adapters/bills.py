"""Bills and accumulators in and out of the database."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.db import insert_for
from medins_common.money import ZERO
from settlement.adapters import codec
from settlement.adapters.tables import accumulators, bills
from settlement.domain.bill import (
    NOTHING_USED,
    AccumulatorKey,
    Amounts,
    Bill,
    Quote,
    Reversal,
    SettlementRequest,
)
from settlement.domain.policy.model import (
    BillLine,
    CareType,
    Coverage,
    Usage,
)

_AMOUNT_FIELDS = tuple(Amounts.__dataclass_fields__)


# -- accumulators ---------------------------------------------------------------------------


# Statements are built once, with bound parameters: building them per call costs more CPU
# than running them (bills are the hot path).
_THIS_ROW = and_(
    accumulators.c.psn_no == bindparam("key_psn_no"),
    accumulators.c.insutype == bindparam("key_insutype"),
    accumulators.c.year == bindparam("key_year"),
    accumulators.c.care_type == bindparam("key_care_type"),
)
_READ_USAGE = select(accumulators).where(_THIS_ROW)
_SAVE_USAGE = update(accumulators).where(_THIS_ROW)
_FIND_BILL = select(bills).where(
    bills.c.institution_code == bindparam("institution_code"),
    bills.c.setl_id == bindparam("setl_id"),
)
_FIND_BILL_FOR_UPDATE = _FIND_BILL.with_for_update()


@functools.cache
def _claim_usage(dialect: str) -> Any:
    claim = insert_for(dialect, accumulators)
    return claim.on_conflict_do_update(
        index_elements=list(accumulators.primary_key.columns),
        set_={"updated_at": claim.excluded.updated_at},
    ).returning(
        *accumulators.primary_key.columns,
        accumulators.c.deductible_used,
        accumulators.c.fund_paid,
        accumulators.c.admissions,
    )


def _key(key: AccumulatorKey) -> dict[str, Any]:
    return {
        "key_psn_no": key.psn_no,
        "key_insutype": key.insutype,
        "key_year": key.year,
        "key_care_type": key.care_type.value,
    }


def _usage(row: Any) -> Usage:
    return Usage(
        deductible_used=row.deductible_used, fund_paid=row.fund_paid, admissions=row.admissions
    )


def _one_or_many(rows: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """One row as a plain execution: a list of one would take the many-rows path, which
    costs more."""
    return rows[0] if len(rows) == 1 else rows


async def usage(session: AsyncSession, key: AccumulatorKey) -> Usage:
    """The usage so far, without locking (pre-settlement)."""
    row = (await session.execute(_READ_USAGE, _key(key))).first()
    return _usage(row) if row else NOTHING_USED


async def lock_usage(session: AsyncSession, key: AccumulatorKey) -> Usage:
    return (await lock_usages(session, [key]))[key]


async def lock_usages(
    session: AsyncSession, keys: Iterable[AccumulatorKey]
) -> dict[AccumulatorKey, Usage]:
    """The usage so far of each key, locked until the transaction ends, in one statement.

    An upsert that touches the rows creates those missing and locks the others (PostgreSQL
    locks the rows an ON CONFLICT DO UPDATE updates), so two settlements of the same person
    are serialised on the row; on SQLite the writing transaction (BEGIN IMMEDIATE) already
    holds the database's one write lock. The rows are locked in the keys' sorted order, the
    same in every transaction, so two transactions locking several rows cannot deadlock.
    """
    moment = timeutil.now()
    claims = [
        {
            "psn_no": key.psn_no,
            "insutype": key.insutype,
            "year": key.year,
            "care_type": key.care_type.value,
            "deductible_used": ZERO,
            "fund_paid": ZERO,
            "admissions": 0,
            "updated_at": moment,
        }
        for key in sorted(set(keys), key=_lock_order)
    ]
    claim = _claim_usage(session.get_bind().dialect.name)
    rows = await session.execute(claim, _one_or_many(claims))
    return {
        AccumulatorKey(row.psn_no, row.insutype, row.year, CareType(row.care_type)): _usage(row)
        for row in rows
    }


def _lock_order(key: AccumulatorKey) -> tuple[str, str, int, str]:
    return (key.psn_no, key.insutype, key.year, key.care_type.value)


async def save_usage(session: AsyncSession, key: AccumulatorKey, value: Usage) -> None:
    await save_usages(session, {key: value})


async def save_usages(session: AsyncSession, values: dict[AccumulatorKey, Usage]) -> None:
    moment = timeutil.now()
    await session.execute(
        _SAVE_USAGE,
        _one_or_many(
            [
                {
                    **_key(key),
                    "deductible_used": value.deductible_used,
                    "fund_paid": value.fund_paid,
                    "admissions": value.admissions,
                    "updated_at": moment,
                }
                for key, value in values.items()
            ]
        ),
    )


# -- bills ----------------------------------------------------------------------------------


async def add(session: AsyncSession, new_bills: Iterable[Bill]) -> None:
    """Inserted in (institution, setl_id) order, the same in every transaction: two that
    insert the same setl_ids wait for each other in one order, never in a cycle."""
    ordered = sorted(new_bills, key=lambda bill: (bill.quote.institution_code, bill.setl_id))
    await session.execute(bills.insert(), _one_or_many([_row(bill) for bill in ordered]))


async def find(
    session: AsyncSession, *, institution_code: str, setl_id: str, for_update: bool = False
) -> Bill | None:
    query = _FIND_BILL_FOR_UPDATE if for_update else _FIND_BILL
    params = {"institution_code": institution_code, "setl_id": setl_id}
    row = (await session.execute(query, params)).first()
    return _bill(row) if row else None


async def record_reversal(session: AsyncSession, bill_id: str, reversal: Reversal) -> None:
    await session.execute(
        update(bills)
        .where(bills.c.bill_id == bill_id)
        .values(
            reversed_at=reversal.reversed_at,
            reversed_day=reversal.reversed_at.date(),
            reversal_period=reversal.period,
            reversal_reason=reversal.reason,
        )
    )


async def of_day(session: AsyncSession, *, institution_code: str, day: date) -> list[Bill]:
    """The institution's bills settled or reversed on the day (Asia/Shanghai)."""
    rows = (
        await session.execute(
            select(bills)
            .where(
                bills.c.institution_code == institution_code,
                or_(bills.c.settled_day == day, bills.c.reversed_day == day),
            )
            .order_by(bills.c.settled_at, bills.c.bill_id)
        )
    ).all()
    return [_bill(row) for row in rows]


def _row(bill: Bill) -> dict[str, Any]:
    quote, request = bill.quote, bill.quote.request
    return {
        "bill_id": bill.bill_id,
        "institution_code": quote.institution_code,
        "setl_id": bill.setl_id,
        "mdtrt_id": request.mdtrt_id,
        "psn_no": request.psn_no,
        "insutype": request.insutype,
        "person_type": quote.person_type,
        "med_type": request.med_type,
        "care_type": request.care_type.value,
        "insured_region": quote.insured_region,
        "treatment_region": quote.treatment_region,
        "begndate": request.begndate,
        "enddate": request.enddate,
        "request_hash": bill.fingerprint,
        **vars(quote.amounts),
        "clr_optins": quote.treatment_region,
        "coverage": dict(vars(quote.coverage)),
        "lines": [codec.line_json(line) for line in quote.lines],
        "trace": [codec.step_json(step) for step in quote.trace],
        "emergency": request.emergency,
        "chronic_disease": request.chronic_disease,
        "catalogue_version": quote.catalogue_version,
        "policy_version": quote.policy_version,
        "accumulator_year": quote.accumulator.year,
        "accumulator_care_type": quote.accumulator.care_type.value,
        "used_deductible": quote.taken.deductible_used,
        "used_fund": quote.taken.fund_paid,
        "used_admissions": quote.taken.admissions,
        "settled_at": bill.settled_at,
        "settled_day": bill.settled_at.date(),
        "period": bill.period,
    }


def _bill(row: Any) -> Bill:
    lines = tuple(codec.line_of(value) for value in row.lines)
    request = SettlementRequest(
        psn_no=row.psn_no,
        mdtrt_id=row.mdtrt_id,
        insutype=row.insutype,
        med_type=row.med_type,
        begndate=row.begndate,
        enddate=row.enddate,
        medfee_sumamt=row.medfee_sumamt,
        lines=tuple(BillLine(line.item_code, line.qty, line.price) for line in lines),
        emergency=row.emergency,
        chronic_disease=row.chronic_disease,
    )
    quote = Quote(
        institution_code=row.institution_code,
        request=request,
        person_type=row.person_type,
        insured_region=row.insured_region,
        treatment_region=row.treatment_region,
        coverage=Coverage(**row.coverage),
        amounts=Amounts(**{name: row._mapping[name] for name in _AMOUNT_FIELDS}),
        lines=lines,
        trace=tuple(codec.step_of(value) for value in row.trace),
        taken=Usage(
            deductible_used=row.used_deductible,
            fund_paid=row.used_fund,
            admissions=row.used_admissions,
        ),
        catalogue_version=row.catalogue_version,
        policy_version=row.policy_version,
    )
    reversal = (
        Reversal(
            reversed_at=row.reversed_at, period=row.reversal_period, reason=row.reversal_reason
        )
        if row.reversed_at
        else None
    )
    return Bill(
        bill_id=row.bill_id,
        setl_id=row.setl_id,
        fingerprint=row.request_hash,
        quote=quote,
        settled_at=row.settled_at,
        period=row.period,
        reversal=reversal,
    )
