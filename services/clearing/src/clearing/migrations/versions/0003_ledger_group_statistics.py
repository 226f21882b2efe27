"""ledger: statistics on the columns a clearing run groups by (PostgreSQL)

Without them the planner multiplies each column's distinct values, expects far more groups
than a month has and sorts the whole month on disk instead of hashing it (about three times
slower at a million bills).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = "insured_region, treatment_region, institution_code, kind, event_period, original_period"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE STATISTICS st_ledger_entries_groups (ndistinct) ON {_COLUMNS} "
            "FROM ledger_entries"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_ledger_entries_groups")
