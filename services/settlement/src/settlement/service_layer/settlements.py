"""Hospitals' settlements: pre-settlement, settlement, reversal and their queries.

A settlement reads the person's accumulator row under a lock, prices the bill, and writes the
bill, the new usage and its BillSettled event in one transaction: two hospitals settling for
the same person at once are serialised on that row, so the annual cap holds. Settlements
posted at the same time share that transaction (``settle_bills``, fed by the API's group
commit): the fixed costs of a transaction are paid once for all of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from medins_common import timeutil
from medins_common.auth import Principal, Role
from medins_common.context import current_correlation_id
from medins_common.errors import Conflict, Forbidden, NotFound, ProblemError, RuleViolation
from medins_common.events.schemas import BillReversed, BillSettled
from medins_common.unit_of_work import UnitOfWork
from settlement.adapters import bills, read_model
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
        [found] = await _parties_of_each(uow.session, [(institution_code, request)])
        if isinstance(found, ProblemError):
            raise found
        usage = await bills.usage(uow.session, AccumulatorKey.of(request))
        return await _quote(
            uow.session,
            institution_code=institution_code,
            request=request,
            parties=found,
            usage=usage,
        )


@dataclass(frozen=True)
class Posting:
    """A settlement as a hospital posts it (national 2207), with the correlation id of the
    request that posted it: postings settled together still trace back to their requests."""

    institution_code: str
    setl_id: str
    request: SettlementRequest
    correlation_id: str = field(default_factory=current_correlation_id)


async def settle_bill(uow: UnitOfWork, posting: Posting) -> Bill:
    """Settle one posting on its own (see ``settle_bills``); a refusal is raised."""
    [outcome] = await settle_bills(uow, [posting])
    if isinstance(outcome, ProblemError):
        raise outcome
    return outcome


async def settle_bills(uow: UnitOfWork, postings: Sequence[Posting]) -> list[Bill | ProblemError]:
    """Settle postings together, in one transaction, answering each with its bill or its
    own refusal: a refused posting leaves the others settled and writes nothing itself.

    Once per (institution, setl_id): a retry with the same content gets the same bill; other
    content under the same setl_id is refused (national 2207). A new settlement spends no
    statement on the check: the unique (institution, setl_id) refuses a second bill, and only
    then are the postings settled one by one, each finding its earlier bill (a retry, or a
    concurrent request that committed first).
    """
    outcomes: dict[int, Bill | ProblemError] = {}
    today = timeutil.today()
    for index, posting in enumerate(postings):
        try:
            posting.request.check(today=today)
        except ProblemError as refusal:
            outcomes[index] = refusal
    pending = [index for index in range(len(postings)) if index not in outcomes]
    while pending:
        try:
            settled = await _settle_together(uow, [postings[index] for index in pending])
        except IntegrityError as refused_by_database:
            if len(pending) == 1:
                outcomes[pending[0]] = await _earlier_settlement(
                    uow, postings[pending[0]], refused_by_database
                )
            else:
                for index in pending:
                    [outcomes[index]] = await settle_bills(uow, [postings[index]])
            break
        if isinstance(settled, dict):
            # Nothing was written: the others settle again without the refused.
            outcomes.update((pending[position], refusal) for position, refusal in settled.items())
        else:
            outcomes.update(zip(pending, settled, strict=True))
        pending = [index for index in pending if index not in outcomes]
    return [outcomes[index] for index in range(len(postings))]


async def _settle_together(
    uow: UnitOfWork, postings: Sequence[Posting]
) -> list[Bill] | dict[int, ProblemError]:
    """Price every posting under its accumulator's lock and commit their bills, or, if any
    posting is refused, write nothing and answer the refusals by position.

    What needs no usage is read before the locks are taken, so that they are held only for
    the arithmetic and the writes."""
    async with uow:
        found = await _parties_of_each(
            uow.session, [(posting.institution_code, posting.request) for posting in postings]
        )
        refused = {
            position: refusal
            for position, refusal in enumerate(found)
            if isinstance(refusal, ProblemError)
        }
        if refused:
            return refused
        usages = await bills.lock_usages(
            uow.session, (AccumulatorKey.of(posting.request) for posting in postings)
        )
        moment = timeutil.now()
        new_bills: list[Bill] = []
        for position, (posting, parties) in enumerate(zip(postings, found, strict=True)):
            assert not isinstance(parties, ProblemError)  # refusals returned above
            key = AccumulatorKey.of(posting.request)
            try:
                quote = await _quote(
                    uow.session,
                    institution_code=posting.institution_code,
                    request=posting.request,
                    parties=parties,
                    usage=usages[key],
                )
            except ProblemError as refusal:
                refused[position] = refusal
                continue
            # The same person twice in a batch: the second is priced on what the first left.
            usages[key] = with_taken(usages[key], quote.taken)
            closed = await reference_cache.closed_periods(uow.session, parties.reference)
            new_bills.append(
                Bill(
                    bill_id=uuid.uuid4().hex,
                    setl_id=posting.setl_id,
                    fingerprint=posting.request.fingerprint(),
                    quote=quote,
                    settled_at=moment,
                    period=booking_period(timeutil.period_of(moment), closed),
                )
            )
        if refused:
            return refused
        await bills.add(uow.session, new_bills)
        await bills.save_usages(uow.session, usages)
        await uow.publish(
            *(bill_settled(bill) for bill in new_bills),
            correlation_ids=[posting.correlation_id for posting in postings],
        )
        await uow.commit()
    return new_bills


async def _earlier_settlement(
    uow: UnitOfWork, posting: Posting, refused_by_database: IntegrityError
) -> Bill | ProblemError:
    async with uow:
        existing = await bills.find(
            uow.session, institution_code=posting.institution_code, setl_id=posting.setl_id
        )
    if existing is None:  # the database refused something else than a second bill
        raise refused_by_database
    try:
        return _same_settlement(existing, posting.request.fingerprint())
    except ProblemError as refusal:
        return refusal


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


async def _parties_of_each(
    session: AsyncSession, posted: Sequence[tuple[str, SettlementRequest]]
) -> list[pricing.Parties | ProblemError]:
    """Who is treated where for each (institution, request), read in one statement, or the
    refusal that needs no usage (unknown person or institution, another insutype, care not
    networked there)."""
    found = await pricing.parties_of_each(
        session,
        [
            pricing.Treated(request.psn_no, institution_code, request.care_type)
            for institution_code, request in posted
        ],
    )
    return [_checked(parties, request) for parties, (_, request) in zip(found, posted, strict=True)]


def _checked(
    found: pricing.Parties | ProblemError, request: SettlementRequest
) -> pricing.Parties | ProblemError:
    if isinstance(found, ProblemError):
        return found
    if found.person.insutype != request.insutype:
        return InsutypeMismatch(
            f"Person {found.person.psn_no} is insured under insutype {found.person.insutype}.",
            field="insutype",
        )
    try:
        ensure_networked(found.institution, request.care_type)
    except ProblemError as refusal:
        return refusal
    return found


async def _quote(
    session: AsyncSession,
    *,
    institution_code: str,
    request: SettlementRequest,
    parties: pricing.Parties,
    usage: Usage,
) -> Quote:
    priced = await pricing.price(session, parties=parties, episode=request, usage=usage)
    return Quote(
        institution_code=institution_code,
        request=request,
        person_type=parties.person.person_type,
        insured_region=parties.person.insured_region,
        treatment_region=priced.treatment_region,
        coverage=priced.coverage,
        amounts=Amounts.of(priced.result),
        lines=priced.result.lines,
        trace=priced.trace,
        taken=priced.taken,
        catalogue_version=priced.result.catalogue_version,
        policy_version=priced.result.policy_version,
    )


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
