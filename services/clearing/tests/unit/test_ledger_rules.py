"""The ledger's rules (DOMAIN.md, money between regions), as plain Python."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from clearing.domain.errors import CorruptBill, InvalidPeriod
from clearing.domain.ledger import (
    Account,
    EntryKind,
    PairBalances,
    Side,
    bill_posting,
    lines_for,
)
from clearing.domain.periods import check_period, first_open_period, next_period
from medins_common.timeutil import SHANGHAI

TIANJIN, BEIJING = "120000", "110000"


def posting(**changes: Any):
    facts: dict[str, Any] = {
        "kind": EntryKind.BILL_SETTLED,
        "bill_id": "B1",
        "setl_id": "S1",
        "institution_code": "H1",
        "insured_region": TIANJIN,
        "treatment_region": BEIJING,
        "clr_optins": BEIJING,
        "period": "2026-10",
        "original_period": "2026-10",
        "at": datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI),
        "medfee_sumamt": Decimal("1234.00"),
        "fund_pay_sumamt": Decimal("800.00"),
        "psn_part_amt": Decimal("434.00"),
        "acct_pay": Decimal("100.00"),
        "psn_cash_pay": Decimal("334.00"),
    }
    return bill_posting(**{**facts, **changes})


@pytest.mark.parametrize("kind", list(EntryKind))
@pytest.mark.parametrize("amount", [Decimal("0.01"), Decimal("800.00"), Decimal("-42.10")])
def test_every_entry_debits_and_credits_the_same_amount(kind, amount):
    debit, credit = lines_for(kind, amount)
    assert (debit.side, credit.side) == (Side.DEBIT, Side.CREDIT)
    assert debit.amount == credit.amount == abs(amount)
    assert debit.account != credit.account


def test_a_settled_bill_is_owed_by_the_insured_region_to_the_treatment_region():
    debit, credit = lines_for(EntryKind.BILL_SETTLED, Decimal("800.00"))
    assert debit.account is Account.TREATMENT_RECEIVABLE
    assert credit.account is Account.INSURED_PAYABLE


def test_a_reversal_is_the_exact_opposite_of_its_bill():
    settled = lines_for(EntryKind.BILL_SETTLED, Decimal("800.00"))
    reversed_ = lines_for(EntryKind.BILL_REVERSED, Decimal("800.00"))
    assert (reversed_[0].account, reversed_[1].account) == (settled[1].account, settled[0].account)


def test_a_negative_adjustment_takes_money_out_of_the_advance_fund():
    debit, credit = lines_for(EntryKind.ADVANCE_ADJUSTMENT, Decimal("-50.00"))
    assert debit.account is Account.ADVANCE_FUND
    assert credit.account is Account.INSURED_PAYABLE


def test_the_advance_left_is_the_advance_less_what_is_outstanding():
    net: dict[Account, Decimal] = {}
    for kind, amount in (
        (EntryKind.ADVANCE_PAYMENT, Decimal("1000.00")),
        (EntryKind.BILL_SETTLED, Decimal("300.00")),
        (EntryKind.BILL_SETTLED, Decimal("500.00")),
        (EntryKind.BILL_REVERSED, Decimal("100.00")),
        (EntryKind.CLEARING_PAYMENT, Decimal("200.00")),
    ):
        for line in lines_for(kind, amount):
            sign = 1 if line.side is Side.DEBIT else -1
            net[line.account] = net.get(line.account, Decimal(0)) + sign * line.amount
    balances = PairBalances(net)
    assert balances.advanced == Decimal("1000.00")
    assert balances.outstanding == Decimal("500.00")  # 300 + 500 − 100 − 200 paid
    assert balances.advance_left == Decimal("500.00")
    assert sum(net.values()) == 0


# --- checking a bill event ---------------------------------------------------------------


def test_a_bill_that_adds_up_is_accepted_with_its_day_in_shanghai():
    checked = posting(at=datetime(2026, 10, 31, 16, 30, tzinfo=SHANGHAI))
    assert checked.day.isoformat() == "2026-10-31"
    assert checked.key == ("bill_settled", "B1")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"psn_part_amt": Decimal("433.99")}, "amounts_inconsistent"),
        ({"psn_cash_pay": Decimal("333.00")}, "amounts_inconsistent"),
        (
            {"fund_pay_sumamt": Decimal("1300.00"), "psn_part_amt": Decimal("-66.00")},
            "amounts_inconsistent",
        ),
        ({"period": "2026-13"}, "invalid_period"),
        ({"period": "202610"}, "invalid_period"),
        ({"original_period": "oct"}, "invalid_period"),
        ({"period": "2026-09", "original_period": "2026-09"}, "period_mismatch"),
        ({"at": datetime(2026, 10, 31, 23, 59)}, "naive_timestamp"),
        ({"original_period": "2026-11"}, "period_mismatch"),
        ({"insured_region": BEIJING}, "same_region"),
        ({"insured_region": "12000"}, "invalid_region"),
        ({"clr_optins": TIANJIN}, "clearing_institution_mismatch"),
    ],
)
def test_a_bill_that_does_not_add_up_is_refused_with_its_reason(changes, code):
    with pytest.raises(CorruptBill) as refused:
        posting(**changes)
    assert refused.value.code == code


def test_a_bill_booked_by_settlement_into_a_later_open_period_is_accepted():
    # October was closed when the bill was settled on its last day: booked in November.
    booked_late = posting(period="2026-11", original_period=None)
    assert (booked_late.event_period, booked_late.original_period) == ("2026-11", "2026-10")


def test_the_period_of_a_moment_is_taken_in_shanghai():
    # 2026-10-31 17:00 UTC is 2026-11-01 01:00 in Shanghai: November.
    from datetime import UTC

    late = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert posting(period="2026-11", original_period="2026-11", at=late).event_period == "2026-11"
    with pytest.raises(CorruptBill):
        posting(period="2026-10", at=late)


# --- periods ------------------------------------------------------------------------------


def test_the_month_after_december_is_january():
    assert next_period("2026-12") == "2027-01"
    assert next_period("2026-01") == "2026-02"


def test_a_closed_period_sends_postings_to_the_next_open_one():
    assert first_open_period("2026-10", {"2026-10", "2026-11", "2027-01"}) == "2026-12"
    assert first_open_period("2026-10", set()) == "2026-10"


@pytest.mark.parametrize("text", ["2026-00", "2026-1", "26-10", "", "2026-10-01"])
def test_a_period_is_yyyy_mm(text):
    with pytest.raises(InvalidPeriod):
        check_period(text)
