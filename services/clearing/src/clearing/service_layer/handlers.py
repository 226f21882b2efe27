"""The ledger consumer: every BillSettled and BillReversed posted once, in the right period.

A bill lands in the period of its event; if that period is closed, in the next open one, as an
adjustment (DOMAIN.md: nothing is edited in a closed period). An event that does not add up is
parked with its reason, never half-posted.
"""

from __future__ import annotations

import logging
from datetime import datetime

from clearing.adapters import ledger
from clearing.domain.errors import CorruptBill
from clearing.domain.ledger import EntryKind, bill_posting
from medins_common.events.envelope import Envelope
from medins_common.events.schemas import BillReversed, BillSettled
from medins_common.inbox import Subscription
from medins_common.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def post_bill_settled(uow: UnitOfWork, event: BillSettled, envelope: Envelope) -> None:
    await _post(
        uow,
        event,
        envelope,
        kind=EntryKind.BILL_SETTLED,
        at=event.settled_at,
        original_period=None,  # the month it was settled in
    )


async def post_bill_reversed(uow: UnitOfWork, event: BillReversed, envelope: Envelope) -> None:
    await _post(
        uow,
        event,
        envelope,
        kind=EntryKind.BILL_REVERSED,
        at=event.reversed_at,
        original_period=event.original_period,
    )


async def _post(
    uow: UnitOfWork,
    event: BillSettled | BillReversed,
    envelope: Envelope,
    *,
    kind: EntryKind,
    at: datetime,
    original_period: str | None,
) -> None:
    try:
        posting = bill_posting(
            kind=kind,
            bill_id=event.bill_id,
            setl_id=event.setl_id,
            institution_code=event.institution_code,
            insured_region=event.insured_region,
            treatment_region=event.treatment_region,
            clr_optins=event.clr_optins,
            period=event.period,
            original_period=original_period,
            at=at,
            medfee_sumamt=event.medfee_sumamt,
            fund_pay_sumamt=event.fund_pay_sumamt,
            psn_part_amt=event.psn_part_amt,
            acct_pay=event.acct_pay,
            psn_cash_pay=event.psn_cash_pay,
        )
    except CorruptBill as exc:
        log.warning("parked %s of bill %s: %s", envelope.event_type, event.bill_id, exc.code)
        await ledger.park(
            uow.session,
            event_id=str(envelope.event_id),
            event_type=envelope.event_type,
            bill_id=event.bill_id,
            period=event.period,
            reason=exc.code,
            detail=exc.detail,
            payload=event.model_dump_json(),
        )
        return
    period = await ledger.booking_period(uow.session, posting.event_period)
    ledger.queue_bill(
        uow.session,
        ledger.QueuedBill(
            posting=posting,
            period=period,
            event_id=str(envelope.event_id),
            event_type=envelope.event_type,
        ),
    )


LEDGER = Subscription(
    name="clearing.ledger",
    handlers={BillSettled: post_bill_settled, BillReversed: post_bill_reversed},
)
