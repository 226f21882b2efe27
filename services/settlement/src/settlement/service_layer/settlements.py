"""Hospitals' settlements: pre-settlement, settlement, reversal and their queries.

A settlement reads the person's accumulator row under a lock, prices the bill, and writes the
bill, the new usage and its BillSettled event in one transaction: two hospitals settling for
the same person at once are serialised on that row, so the annual cap holds.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.auth import Principal, Role
from medins_common.errors import Conflict, Forbidden, NotFound, RuleViolation
from medins_common.events.schemas import BillReversed, BillSettled
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import bills, read_model
from settlement.adapters.pricing_context import ReferenceStamp
from settlement.domain.bill import (
    AccumulatorKey,
    Amounts,
    Bill,
    Quote,
    Reversal,
    SettlementRequest,
    booking_period,
    given_back,
    with_taken,
)
from settlement.domain.coverage import ensure_networked
from settlement.domain.errors import InsutypeMismatch
from settlement.domain.policy import Usage
from settlement.service_layer import pricing, reference_cache


async def pre_settle(
    uow: UnitOfWork, *, institution_code: str, request: SettlementRequest
) -> Quote:
    """What the settlement would come to now (national 2206); writes nothing."""
    request.check(today=timeutil.today())
    async with uow:
        usage = await bills.usage(uow.session, AccumulatorKey.of(request))
        quote, _ = await _price(
            uow.session, institution_code=institution_code, request=request, usage=usage
        )
        return quote


async def settle_bill(
    uow: UnitOfWork, *, institution_code: str, setl_id: str, request: SettlementRequest
) -> Bill:
    """Settle once per (institution, setl_id): a retry with the same content gets the same
    bill; other content under the same setl_id is refused (national 2207).

    The first attempt does not look for an earlier bill: the unique (institution, setl_id)
    refuses a second one, and only then is the earlier bill read (a retry, or a concurrent
    request that committed first), so a new settlement spends no statement on the check.
    """
    request.check(today=timeutil.today())
    try:
        return await _settle_new(
            uow, institution_code=institution_code, setl_id=setl_id, request=request
        )
    except IntegrityError:
        async with uow:
            existing = await bills.find(
                uow.session, institution_code=institution_code, setl_id=setl_id
            )
        if existing is None:
            raise
        return _same_settlement(existing, request.fingerprint())


async def _settle_new(
    uow: UnitOfWork, *, institution_code: str, setl_id: str, request: SettlementRequest
) -> Bill:
    async with uow:
        key = AccumulatorKey.of(request)
        usage = await bills.lock_usage(uow.session, key)
        quote, reference = await _price(
            uow.session, institution_code=institution_code, request=request, usage=usage
        )
        moment = timeutil.now()
        closed = await reference_cache.closed_periods(uow.session, reference)
        bill = Bill(
            bill_id=uuid.uuid4().hex,
            setl_id=setl_id,
            fingerprint=request.fingerprint(),
            quote=quote,
            settled_at=moment,
            period=booking_period(timeutil.period_of(moment), closed),
        )
        await bills.add(uow.session, bill)
        await bills.save_usage(uow.session, key, with_taken(usage, quote.taken))
        await uow.publish(bill_settled(bill))
        await uow.commit()
    return bill


def _same_settlement(existing: Bill, fingerprint: str) -> Bill:
    if existing.fingerprint != fingerprint:
        raise Conflict(
            f"Settlement {existing.setl_id} of this institution already exists with other "
            "content; a new settlement needs a new setl_id.",
            code="setl_id_already_settled",
            field="setl_id",
        )
    return existing


async def reverse_bill(
    uow: UnitOfWork, *, institution_code: str, setl_id: str, reason: str | None
) -> Bill:
    """Reverse a settlement (national 2208): it gives back exactly what it took from the
    accumulator; after its period was closed, it is booked in the open period as an
    adjustment (DOMAIN.md, "Money between regions")."""
    async with uow:
        bill = await _find(uow.session, institution_code=institution_code, setl_id=setl_id)
        key = bill.quote.accumulator
        usage = await bills.lock_usage(uow.session, key)
        # Read again under the lock: a concurrent reversal may have just committed.
        bill = await _find(
            uow.session, institution_code=institution_code, setl_id=setl_id, for_update=True
        )
        if bill.reversal is not None:
            raise Conflict(
                f"Settlement {setl_id} was already reversed at {bill.reversal.reversed_at}.",
                code="bill_already_reversed",
                field="setl_id",
            )
        moment = timeutil.now()
        period = timeutil.period_of(moment)
        closed = await read_model.closed_periods_from(uow.session, period)
        reversal = Reversal(
            reversed_at=moment, period=booking_period(period, closed), reason=reason
        )
        await bills.record_reversal(uow.session, bill.bill_id, reversal)
        await bills.save_usage(uow.session, key, given_back(usage, bill.quote.taken))
        reversed_bill = replace(bill, reversal=reversal)
        await uow.publish(bill_reversed(reversed_bill))
        await uow.commit()
    return reversed_bill


async def get_bill(uow: UnitOfWork, *, institution_code: str, setl_id: str) -> Bill:
    async with uow:
        return await _find(uow.session, institution_code=institution_code, setl_id=setl_id)


async def bills_of_day(uow: UnitOfWork, *, institution_code: str, day: date) -> list[Bill]:
    async with uow:
        return await bills.of_day(uow.session, institution_code=institution_code, day=day)


def institution_of(principal: Principal, institution_code: str | None) -> str:
    """Whose bills a reader asks for: a hospital only its own institution's; staff name one."""
    if principal.role is Role.HOSPITAL:
        if institution_code not in (None, principal.institution_code):
            raise Forbidden(
                "A hospital sees only its own institution's settlements.",
                code="other_institution",
                field="institution_code",
            )
        assert principal.institution_code is not None
        return principal.institution_code
    if institution_code is None:
        raise RuleViolation(
            "Name the institution whose settlements to read.",
            code="institution_required",
            field="institution_code",
        )
    return institution_code


async def _find(
    session: AsyncSession, *, institution_code: str, setl_id: str, for_update: bool = False
) -> Bill:
    bill = await bills.find(
        session, institution_code=institution_code, setl_id=setl_id, for_update=for_update
    )
    if bill is None:
        raise NotFound(
            f"Institution {institution_code} has no settlement {setl_id}.",
            code="bill_not_found",
            field="setl_id",
        )
    return bill


async def _price(
    session: AsyncSession, *, institution_code: str, request: SettlementRequest, usage: Usage
) -> tuple[Quote, ReferenceStamp]:
    found = await pricing.parties(
        session,
        psn_no=request.psn_no,
        institution_code=institution_code,
        care_type=request.care_type,
    )
    if found.person.insutype != request.insutype:
        raise InsutypeMismatch(
            f"Person {found.person.psn_no} is insured under insutype {found.person.insutype}.",
            field="insutype",
        )
    ensure_networked(found.institution, request.care_type)
    priced = await pricing.price(session, parties=found, episode=request, usage=usage)
    quote = Quote(
        institution_code=institution_code,
        request=request,
        person_type=found.person.person_type,
        insured_region=found.person.insured_region,
        treatment_region=priced.treatment_region,
        coverage=priced.coverage,
        amounts=Amounts.of(priced.result),
        lines=priced.result.lines,
        trace=priced.trace,
        taken=priced.taken,
        catalogue_version=priced.result.catalogue_version,
        policy_version=priced.result.policy_version,
    )
    return quote, found.reference


def _bill_facts(bill: Bill) -> dict[str, object]:
    quote, amounts = bill.quote, bill.quote.amounts
    return {
        "bill_id": bill.bill_id,
        "setl_id": bill.setl_id,
        "mdtrt_id": quote.request.mdtrt_id,
        "institution_code": quote.institution_code,
        "psn_no": quote.request.psn_no,
        "insured_region": quote.insured_region,
        "treatment_region": quote.treatment_region,
        "insutype": quote.request.insutype,
        "med_type": quote.request.med_type,
        "medfee_sumamt": amounts.medfee_sumamt,
        "fund_pay_sumamt": amounts.fund_pay_sumamt,
        "psn_part_amt": amounts.psn_part_amt,
        "acct_pay": amounts.acct_pay,
        "psn_cash_pay": amounts.psn_cash_pay,
        "clr_optins": quote.treatment_region,
    }


def bill_settled(bill: Bill) -> BillSettled:
    return BillSettled(**_bill_facts(bill), period=bill.period, settled_at=bill.settled_at)


def bill_reversed(bill: Bill) -> BillReversed:
    assert bill.reversal is not None
    return BillReversed(
        **_bill_facts(bill),
        period=bill.reversal.period,
        original_period=bill.period,
        reversed_at=bill.reversal.reversed_at,
    )
