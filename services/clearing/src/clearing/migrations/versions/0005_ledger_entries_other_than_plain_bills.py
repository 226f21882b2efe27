"""ledger: the entries other than plain bills of their period, indexed apart

A clearing run sums its period per pair and institution in one pass and reads the few entries
that are not bills settled, counted and booked in that period (reversals, bills of or booked
into other periods, advances, payments) through a partial index. On PostgreSQL, statistics on
the predicate tell the planner how few they are, so it reads them through the index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PLAIN_BILL = "kind = 'bill_settled' AND event_period = period AND original_period = period"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    not_plain = sa.text(f"({_PLAIN_BILL}) IS NOT {'true' if postgresql else '1'}")
    op.create_index(
        "ix_ledger_entries_period_not_plain",
        "ledger_entries",
        ["period"],
        postgresql_where=not_plain,
        sqlite_where=not_plain,
    )
    if postgresql:
        op.execute(
            f"CREATE STATISTICS st_ledger_entries_plain_bill ON (({_PLAIN_BILL})) FROM ledger_entries"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_ledger_entries_plain_bill")
    op.drop_index("ix_ledger_entries_period_not_plain", table_name="ledger_entries")
