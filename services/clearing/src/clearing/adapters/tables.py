"""The clearing database: the ledger, parked events, clearing runs and statements.

Ledger entries and their lines are only ever inserted: no code path updates or deletes them.
"""

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    literal_column,
    true,
)

from clearing.adapters.sqltypes import Yuan
from clearing.domain.ledger import EntryKind
from medins_common.messaging_tables import BigId, messaging_tables
from medins_common.sqltypes import Timestamp

metadata = MetaData()
messaging_tables(metadata)


def _yuan(name: str, *, nullable: bool = True) -> Column:
    return Column(name, Yuan(), nullable=nullable)


# -- the ledger -------------------------------------------------------------------------------

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("entry_id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False),
    # bill_id for bills, the movement id for advances, the statement id for payments
    Column("source_id", String(64), nullable=False),
    Column("period", String(7), nullable=False),  # where it is cleared (booking period)
    Column("insured_region", String(6), nullable=False),
    Column("treatment_region", String(6), nullable=False),
    _yuan("amount", nullable=False),  # the fund share; signed for adjustments and payments
    # bill facts (null for other entries)
    Column("event_period", String(7), nullable=True),  # the period the event counts in
    Column("original_period", String(7), nullable=True),  # the bill's own period
    Column("institution_code", String(40), nullable=True),
    Column("setl_id", String(64), nullable=True),
    Column("occurred_at", Timestamp(), nullable=True),  # settled_at or reversed_at
    Column("day", Date, nullable=True),  # its day in Asia/Shanghai, for hospital reconciliation
    _yuan("medfee_sumamt"),
    _yuan("psn_part_amt"),
    _yuan("acct_pay"),
    _yuan("psn_cash_pay"),
    Column("event_id", String(36), nullable=True),
    # advances and payments
    Column("memo", String(400), nullable=True),
    Column("recorded_by", String(120), nullable=True),
    Column("posted_at", Timestamp(), nullable=False),
    # The bill key: a bill is settled once and reversed once, whatever is redelivered.
    UniqueConstraint("kind", "source_id", name="uq_ledger_entries_kind_source"),
    Index("ix_ledger_entries_period_pair", "period", "insured_region", "treatment_region"),
    Index("ix_ledger_entries_pair_kind", "insured_region", "treatment_region", "kind"),
)

# A bill settled, counted and booked in one period: nearly every entry of a month. A clearing run
# sums the period per pair and institution and reads the few other entries (reversals, bills of
# or booked into other periods, advances, payments) group by group through this partial index.
# The kind is a literal, not a parameter, so the planner can match the index to the query.
_E = ledger_entries.c
NOT_A_PLAIN_BILL = and_(
    _E.kind == literal_column(f"'{EntryKind.BILL_SETTLED.value}'"),
    _E.event_period == _E.period,
    _E.original_period == _E.period,
).is_not(true())
Index(
    "ix_ledger_entries_period_not_plain",
    _E.period,
    postgresql_where=NOT_A_PLAIN_BILL,
    sqlite_where=NOT_A_PLAIN_BILL,
)

ledger_lines = Table(
    "ledger_lines",
    metadata,
    Column("entry_id", BigId, ForeignKey("ledger_entries.entry_id"), primary_key=True),
    Column("account", String(24), primary_key=True),
    Column("side", String(6), nullable=False),  # debit | credit
    _yuan("amount", nullable=False),
)

parked_events = Table(
    "parked_events",
    metadata,
    Column("parked_id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(40), nullable=False),
    Column("bill_id", String(64), nullable=False),
    Column("period", String(40), nullable=False),  # as the event gave it, even if malformed
    Column("reason", String(60), nullable=False),
    Column("detail", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("parked_at", Timestamp(), nullable=False),
    Index("ix_parked_events_period", "period"),
)

closed_periods = Table(
    "closed_periods",
    metadata,
    Column("period", String(7), primary_key=True),
    Column("run_id", String(32), nullable=False),
    Column("closed_at", Timestamp(), nullable=False),
)

# -- the monthly clearing ---------------------------------------------------------------------

clearing_runs = Table(
    "clearing_runs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("period", String(7), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # running | blocked | failed | closed
    Column("step", String(24), nullable=False),
    Column("progress", Text, nullable=False),  # JSON counts of the step
    Column("attempt", Integer, nullable=False),  # reconciliation attempts so far
    Column("started_by", String(120), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    # the worker that holds the run, until it stops renewing (a crashed process)
    Column("lease_until", Timestamp(), nullable=True),
    Column("forced_by", String(120), nullable=True),
    Column("forced_at", Timestamp(), nullable=True),
    Column("force_reason", Text, nullable=True),
    Column("closed_at", Timestamp(), nullable=True),
    Column("error", Text, nullable=True),
)

reconciliation_differences = Table(
    "reconciliation_differences",
    metadata,
    Column("run_id", String(32), ForeignKey("clearing_runs.run_id"), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("key", Text, nullable=False),  # JSON
    Column("detail", Text, nullable=False),  # JSON
)

statements = Table(
    "statements",
    metadata,
    Column("statement_id", String(32), primary_key=True),
    Column("run_id", String(32), ForeignKey("clearing_runs.run_id"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("insured_region", String(6), nullable=False),
    Column("treatment_region", String(6), nullable=False),
    Column("settled_count", Integer, nullable=False),
    Column("reversed_count", Integer, nullable=False),
    _yuan("medfee_sumamt", nullable=False),
    _yuan("fund_pay_sumamt", nullable=False),  # net: what the insured region owes
    _yuan("psn_part_amt", nullable=False),
    _yuan("psn_cash_pay", nullable=False),
    Column("adjustment_count", Integer, nullable=False),
    _yuan("adjustment_fund_pay_sumamt", nullable=False),  # of it, for earlier periods' bills
    Column("status", String(24), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    Column("insured_confirmed_by", String(120), nullable=True),
    Column("insured_confirmed_at", Timestamp(), nullable=True),
    Column("treatment_confirmed_by", String(120), nullable=True),
    Column("treatment_confirmed_at", Timestamp(), nullable=True),
    Column("paid_by", String(120), nullable=True),
    Column("paid_at", Timestamp(), nullable=True),
    UniqueConstraint("period", "insured_region", "treatment_region", name="uq_statements_pair"),
    Index("ix_statements_run", "run_id"),
)
