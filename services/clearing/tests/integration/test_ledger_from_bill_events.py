"""Settlement's bill events, through the inbox, into the double-entry ledger.

Every BillSettled and BillReversed is posted once (inbox plus the unique bill key), in the
period of its event or, when that period is closed, in the next open one as an adjustment
(DOMAIN.md, money between regions). Events that do not add up are parked, never half-posted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from clearing.adapters import ledger
from clearing.adapters.tables import ledger_entries, ledger_lines, parked_events
from clearing.domain.ledger import BILL_KINDS, EntryKind
from clearing.domain.netting import PostedGroup
from medins_common import timeutil
from medins_common.messaging_tables import DEAD_LETTER

from .conftest import AUDITOR, BEIJING, HEBEI, TIANJIN, clerk, record, reversed_, settled


async def test_a_settled_bill_debits_the_receivable_and_credits_the_payable(clearing):
    await clearing.feed(settled("B1", fund="800.00"))

    [entry] = await clearing.rows(ledger_entries)
    assert (entry["kind"], entry["source_id"], entry["period"]) == ("bill_settled", "B1", "2026-10")
    assert (entry["insured_region"], entry["treatment_region"]) == (TIANJIN, BEIJING)
    assert entry["amount"] == Decimal("800.00")
    assert entry["original_period"] == entry["event_period"] == "2026-10"
    lines = {row["account"]: row for row in await clearing.rows(ledger_lines)}
    assert lines["treatment_receivable"]["side"] == "debit"
    assert lines["insured_payable"]["side"] == "credit"
    assert {row["amount"] for row in lines.values()} == {Decimal("800.00")}
    balances = await clearing.balances()
    assert balances.outstanding == Decimal("800.00")
    assert balances.advance_left == Decimal("-800.00")


async def test_a_reversal_books_the_opposite_and_brings_the_pair_back_to_zero(clearing):
    await clearing.feed(settled("B1", fund="800.00"), reversed_("B1", fund="800.00"))

    assert await clearing.count(ledger_entries) == 2
    balances = await clearing.balances()
    assert balances.outstanding == Decimal("0.00")
    assert balances.advance_left == Decimal("0.00")


async def test_a_redelivered_event_is_posted_once(clearing):
    again = record(settled("B1"))
    await clearing.feed(again, again)
    await clearing.feed_batch(again)

    assert await clearing.count(ledger_entries) == 1
    assert await clearing.count(ledger_lines) == 2


async def test_the_same_bill_republished_under_a_new_event_id_is_posted_once(clearing):
    # Not stopped by the inbox (another event id): the unique bill key (kind + bill id) holds.
    await clearing.feed(settled("B1"), settled("B1"))
    await clearing.feed_batch(settled("B1"), settled("B1"))

    assert await clearing.count(ledger_entries) == 1
    assert await clearing.count(parked_events) == 0
    assert (await clearing.balances()).outstanding == Decimal("800.00")


async def test_a_copy_of_a_bill_with_other_amounts_is_parked_and_changes_no_balance(clearing):
    await clearing.feed(settled("B1", fund="800.00"))
    await clearing.feed(settled("B1", fund="900.00", medfee="1334.00"))

    assert await clearing.count(ledger_entries) == 1
    [parked] = await clearing.rows(parked_events)
    assert (parked["bill_id"], parked["reason"]) == ("B1", "conflicting_duplicate")
    assert "900.00" in parked["detail"]
    assert (await clearing.balances()).outstanding == Decimal("800.00")


async def test_a_reversal_with_other_amounts_than_its_bill_is_parked(clearing):
    await clearing.feed(settled("B1", fund="800.00"))
    await clearing.feed(reversed_("B1", fund="700.00"))

    [parked] = await clearing.rows(parked_events)
    assert parked["reason"] == "reversal_amounts_differ"
    assert (await clearing.balances()).outstanding == Decimal("800.00")


async def test_amounts_that_do_not_add_up_are_parked_and_nothing_is_posted(clearing):
    corrupt = settled("B1", psn_part_amt="1.00")  # medfee 1234 − fund 800 is 434, not 1

    await clearing.feed(corrupt)

    assert await clearing.count(ledger_entries) == 0
    assert await clearing.count(ledger_lines) == 0
    [parked] = await clearing.rows(parked_events)
    assert (parked["reason"], parked["event_type"], parked["bill_id"]) == (
        "amounts_inconsistent",
        "BillSettled",
        "B1",
    )
    assert '"psn_part_amt":"1.00"' in parked["payload"]
    assert await clearing.count(DEAD_LETTER) == 0


async def test_an_unknown_period_format_is_parked(clearing):
    await clearing.feed(settled("B1", period="2026-10").model_copy(update={"period": "10/2026"}))

    [parked] = await clearing.rows(parked_events)
    assert (parked["reason"], parked["period"]) == ("invalid_period", "10/2026")
    assert await clearing.count(ledger_entries) == 0


async def test_a_period_that_is_not_the_month_of_the_settlement_is_parked(clearing):
    await clearing.feed(settled("B1", period="2026-10").model_copy(update={"period": "2026-09"}))

    [parked] = await clearing.rows(parked_events)
    assert parked["reason"] == "period_mismatch"


async def test_a_bill_inside_one_region_is_parked(clearing):
    await clearing.feed(settled("B1", insured=BEIJING, treatment=BEIJING))

    [parked] = await clearing.rows(parked_events)
    assert parked["reason"] == "same_region"


async def test_a_parked_event_redelivered_is_parked_once(clearing):
    corrupt = record(settled("B1", psn_part_amt="1.00"))
    await clearing.feed(corrupt, corrupt)

    assert await clearing.count(parked_events) == 1


async def test_a_bill_of_a_closed_period_lands_in_the_next_open_one_as_an_adjustment(clearing):
    await clearing.close("2026-10")
    await clearing.close("2026-11")

    await clearing.feed(settled("B1", period="2026-10"))

    [entry] = await clearing.rows(ledger_entries)
    assert entry["period"] == "2026-12"
    assert entry["event_period"] == entry["original_period"] == "2026-10"
    assert [row.period for row in await clearing.trial_balance()] == ["2026-12"]


async def test_a_bill_settlement_booked_into_a_later_period_is_an_adjustment_there(clearing):
    # Settlement had heard October was closed: the bill of October 31 is booked in November.
    late = settled("B1", period="2026-10", day=31).model_copy(update={"period": "2026-11"})

    await clearing.feed(late)

    [entry] = await clearing.rows(ledger_entries)
    assert (entry["period"], entry["event_period"], entry["original_period"]) == (
        "2026-11",
        "2026-11",
        "2026-10",
    )
    assert entry["day"].isoformat() == "2026-10-31"
    assert await clearing.count(parked_events) == 0


async def test_a_reversal_after_its_period_closed_is_cleared_in_the_next_open_period(clearing):
    await clearing.feed(settled("B1", period="2026-10"))
    await clearing.close("2026-10")

    await clearing.feed(reversed_("B1", period="2026-10", day=30))

    entries = {row["kind"]: row for row in await clearing.rows(ledger_entries)}
    assert entries["bill_settled"]["period"] == "2026-10"  # the closed period is not edited
    assert entries["bill_reversed"]["period"] == "2026-11"
    assert entries["bill_reversed"]["original_period"] == "2026-10"


async def test_a_batch_posts_each_bill_once_and_parks_only_the_bad_event(clearing):
    events = [settled(f"B{n}", fund="10.00", medfee="20.00") for n in range(40)]
    events += [settled("B3", fund="10.00", medfee="20.00"), settled("BAD", psn_part_amt="1.00")]
    events += [reversed_("B7", fund="10.00", medfee="20.00")]

    await clearing.feed_batch(*events)

    assert await clearing.count(ledger_entries) == 41
    assert await clearing.count(ledger_lines) == 82
    assert [row["bill_id"] for row in await clearing.rows(parked_events)] == ["BAD"]
    assert (await clearing.balances()).outstanding == Decimal("390.00")


async def test_debits_equal_credits_for_every_period_and_pair(clearing):
    await clearing.feed_batch(
        settled("B1", fund="800.00"),
        settled("B2", fund="0.01", medfee="0.02", treatment=HEBEI),
        settled("B3", fund="123.45", period="2026-11", insured=BEIJING, treatment=TIANJIN),
        reversed_("B1", fund="800.00", period="2026-11", original_period="2026-10"),
    )

    rows = await clearing.trial_balance()

    assert {(r.period, r.insured_region, r.treatment_region) for r in rows} == {
        ("2026-10", TIANJIN, BEIJING),
        ("2026-10", TIANJIN, HEBEI),
        ("2026-11", BEIJING, TIANJIN),
        ("2026-11", TIANJIN, BEIJING),
    }
    assert all(row.balanced for row in rows)
    assert sum(row.debits for row in rows) == Decimal("1723.46")


async def test_overseers_list_the_parked_events_with_their_reason(clearing):
    await clearing.feed(settled("B1", psn_part_amt="1.00"), settled("B2", period="2026-11"))

    answer = await clearing.client.get("/v1/ledger/parked-events?period=2026-10", headers=AUDITOR)

    assert answer.status_code == 200
    [parked] = answer.json()
    assert (parked["bill_id"], parked["reason"], parked["period"]) == (
        "B1",
        "amounts_inconsistent",
        "2026-10",
    )
    denied = await clearing.client.get("/v1/ledger/parked-events", headers=clerk(TIANJIN))
    assert (denied.status_code, denied.json()["code"]) == (403, "forbidden_role")


async def test_a_periods_sums_count_every_bill_entry_once_in_its_group(clearing):
    # Plain bills are summed apart from the rest of the period: reversals, a bill of the month
    # before booked late, an adjustment, and an advance, all on the same pair and institution.
    now = timeutil.now()
    period = timeutil.period_of(now)  # where an advance lands
    before = timeutil.period_of(now.replace(day=1) - timedelta(days=1))
    await clearing.feed_batch(
        settled("B1", period=period, day=1),
        settled("B2", fund="0.01", medfee="0.03", period=period, day=2),
        settled("B3", fund="7.00", medfee="9.00", period=period, day=2, institution="H2"),
        settled("B4", fund="5.00", medfee="6.00", period=period, day=3, treatment=HEBEI),
        reversed_("B3", fund="7.00", medfee="9.00", period=period, day=3, institution="H2"),
        reversed_("B0", fund="3.00", medfee="4.00", period=period, original_period=before, day=1),
        settled("B5", fund="2.00", period=before, day=28).model_copy(update={"period": period}),
    )
    async with clearing.runtime.uow() as uow:
        await ledger.post_entry(
            uow.session,
            kind=EntryKind.ADVANCE_PAYMENT,
            source_id="A1",
            pair=(TIANJIN, BEIJING),
            amount=Decimal("5000.00"),
            memo="annual advance",
            recorded_by="test-admin",
        )
        await uow.commit()

    async with clearing.runtime.uow() as uow:
        groups = await ledger.posted_groups(uow.session, period)

    expected: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for row in await clearing.rows(ledger_entries, ledger_entries.c.period == period):
        kind = EntryKind(row["kind"])
        if kind in BILL_KINDS:
            place = (row["insured_region"], row["treatment_region"], row["institution_code"])
            sums = expected[(*place, kind, row["event_period"], row["original_period"])]
            for index, value in enumerate(
                (1, row["medfee_sumamt"], row["amount"], row["psn_cash_pay"])
            ):
                sums[index] += value
    assert sorted(groups, key=repr) == sorted(
        (PostedGroup(*group, *sums) for group, sums in expected.items()), key=repr
    )
    assert len(groups) == 6
