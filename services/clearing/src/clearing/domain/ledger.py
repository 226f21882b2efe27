"""The inter-region ledger (DOMAIN.md, money between regions): double entry per region pair.

Three accounts per (insured region, treatment region) pair:

- ``treatment_receivable``: what the treatment region has advanced to its hospitals for the
  insured region's people and not yet been paid (debit balance);
- ``advance_fund``: what the insured region has put into its advance fund 预付金 at the
  treatment place (credit balance);
- ``insured_payable``: the insured region's position. Its balance is always receivable minus
  advance fund: a debit balance is what is left of the advance, a credit balance what the
  insured region owes beyond it.

Every entry is balanced (one debit line, one credit line, the same amount), so for every
period and pair the debits equal the credits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from clearing.domain.errors import CorruptBill, InvalidPeriod
from clearing.domain.periods import check_period
from medins_common.money import ZERO
from medins_common.timeutil import SHANGHAI, period_of


class Account(StrEnum):
    TREATMENT_RECEIVABLE = "treatment_receivable"
    INSURED_PAYABLE = "insured_payable"
    ADVANCE_FUND = "advance_fund"


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class EntryKind(StrEnum):
    BILL_SETTLED = "bill_settled"
    BILL_REVERSED = "bill_reversed"
    ADVANCE_PAYMENT = "advance_payment"  # 预付金 paid in
    ADVANCE_ADJUSTMENT = "advance_adjustment"  # a correction, either way
    CLEARING_PAYMENT = "clearing_payment"  # a statement paid: the claim settles


BILL_KINDS = (EntryKind.BILL_SETTLED, EntryKind.BILL_REVERSED)

# (debited, credited) for a positive amount; a negative amount swaps them.
_POSTING_RULES: dict[EntryKind, tuple[Account, Account]] = {
    EntryKind.BILL_SETTLED: (Account.TREATMENT_RECEIVABLE, Account.INSURED_PAYABLE),
    EntryKind.BILL_REVERSED: (Account.INSURED_PAYABLE, Account.TREATMENT_RECEIVABLE),
    EntryKind.ADVANCE_PAYMENT: (Account.INSURED_PAYABLE, Account.ADVANCE_FUND),
    EntryKind.ADVANCE_ADJUSTMENT: (Account.INSURED_PAYABLE, Account.ADVANCE_FUND),
    EntryKind.CLEARING_PAYMENT: (Account.INSURED_PAYABLE, Account.TREATMENT_RECEIVABLE),
}


@dataclass(frozen=True)
class Line:
    account: Account
    side: Side
    amount: Decimal


def lines_for(kind: EntryKind, amount: Decimal) -> tuple[Line, Line]:
    """The two lines of an entry: the same amount debited once and credited once."""
    debited, credited = _POSTING_RULES[kind]
    if amount < 0:
        debited, credited = credited, debited
    return Line(debited, Side.DEBIT, abs(amount)), Line(credited, Side.CREDIT, abs(amount))


@dataclass(frozen=True)
class PairBalances:
    """Debit minus credit per account of one pair, from all its lines."""

    net_debits: dict[Account, Decimal]

    def _debit(self, account: Account) -> Decimal:
        return self.net_debits.get(account, ZERO)

    @property
    def outstanding(self) -> Decimal:
        """Advanced to hospitals by the treatment region, not yet paid by the insured region."""
        return self._debit(Account.TREATMENT_RECEIVABLE)

    @property
    def advanced(self) -> Decimal:
        return -self._debit(Account.ADVANCE_FUND)

    @property
    def advance_left(self) -> Decimal:
        """What is left of the advance fund: it falls as bills post and rises when paid."""
        return self._debit(Account.INSURED_PAYABLE)


# --- bill events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BillPosting:
    """A BillSettled or BillReversed, checked, as the ledger records it."""

    kind: EntryKind
    bill_id: str
    setl_id: str
    institution_code: str
    insured_region: str
    treatment_region: str
    # The period the event counts in, as settlement booked it: the month of settled_at (or of
    # reversed_at), or a later one if that month was closed when it was settled.
    event_period: str
    # The period of the bill itself: the month it was settled in (for a reversal, the period
    # its bill was booked in). Booked elsewhere, the entry is an adjustment for that period.
    original_period: str
    at: datetime
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    psn_part_amt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal

    @property
    def day(self) -> date:
        return self.at.astimezone(SHANGHAI).date()

    @property
    def key(self) -> tuple[str, str]:
        """The bill key: a bill is settled once and reversed once, whatever is redelivered."""
        return (self.kind.value, self.bill_id)

    @property
    def amounts(self) -> tuple[Decimal, ...]:
        """What must agree between two copies of a bill, and between a bill and its reversal."""
        return (
            self.medfee_sumamt,
            self.fund_pay_sumamt,
            self.psn_part_amt,
            self.acct_pay,
            self.psn_cash_pay,
        )


def bill_posting(
    *,
    kind: EntryKind,
    bill_id: str,
    setl_id: str,
    institution_code: str,
    insured_region: str,
    treatment_region: str,
    clr_optins: str,
    period: str,
    original_period: str | None,
    at: datetime,
    medfee_sumamt: Decimal,
    fund_pay_sumamt: Decimal,
    psn_part_amt: Decimal,
    acct_pay: Decimal,
    psn_cash_pay: Decimal,
) -> BillPosting:
    """Check a bill event against the contract; a CorruptBill names what is wrong.

    ``original_period`` is a reversal's bill's period; a settled bill's own is the month of ``at``.
    """
    if at.tzinfo is None:
        raise CorruptBill("The event's moment carries no offset.", code="naive_timestamp")
    month = period_of(at)
    original_period = month if original_period is None else original_period
    for name, value in (("period", period), ("original_period", original_period)):
        try:
            check_period(value, field=name)
        except InvalidPeriod as exc:
            raise CorruptBill(exc.detail, code="invalid_period", field=name) from exc
    if period < month:  # later is fine: settlement books into the next open period
        raise CorruptBill(
            f"period {period} is before the month of {at.isoformat()} (Asia/Shanghai).",
            code="period_mismatch",
        )
    if original_period > period:
        raise CorruptBill(
            f"A reversal booked in {period} of a bill of {original_period}.",
            code="period_mismatch",
        )
    _check_regions(insured_region, treatment_region, clr_optins)
    _check_amounts(medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, psn_cash_pay)
    return BillPosting(
        kind=kind,
        bill_id=bill_id,
        setl_id=setl_id,
        institution_code=institution_code,
        insured_region=insured_region,
        treatment_region=treatment_region,
        event_period=period,
        original_period=original_period,
        at=at,
        medfee_sumamt=medfee_sumamt,
        fund_pay_sumamt=fund_pay_sumamt,
        psn_part_amt=psn_part_amt,
        acct_pay=acct_pay,
        psn_cash_pay=psn_cash_pay,
    )


def _check_regions(insured: str, treatment: str, clr_optins: str) -> None:
    for region in (insured, treatment):
        if not (len(region) == 6 and region.isdigit()):
            raise CorruptBill(f"Region {region!r} is not a 6-digit code.", code="invalid_region")
    if insured == treatment:
        raise CorruptBill("A bill inside one region is not cleared.", code="same_region")
    if clr_optins != treatment:
        raise CorruptBill(
            f"clr_optins {clr_optins} is not the treatment region {treatment}.",
            code="clearing_institution_mismatch",
        )


def _check_amounts(
    medfee: Decimal, fund_pay: Decimal, psn_part: Decimal, acct_pay: Decimal, cash: Decimal
) -> None:
    """DOMAIN.md, settlement arithmetic: psn_part = medfee − fund; acct + cash = psn_part."""
    if min(medfee, fund_pay, psn_part, acct_pay, cash) < 0:
        raise CorruptBill("An amount is negative.", code="amounts_inconsistent")
    if psn_part != medfee - fund_pay:
        raise CorruptBill(
            f"psn_part_amt {psn_part} ≠ medfee_sumamt {medfee} − fund_pay_sumamt {fund_pay}.",
            code="amounts_inconsistent",
        )
    if acct_pay + cash != psn_part:
        raise CorruptBill(
            f"acct_pay {acct_pay} + psn_cash_pay {cash} ≠ psn_part_amt {psn_part}.",
            code="amounts_inconsistent",
        )


# --- the balance check -----------------------------------------------------------------------


@dataclass(frozen=True)
class TrialBalanceRow:
    period: str
    insured_region: str
    treatment_region: str
    debits: Decimal
    credits: Decimal

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits
