"""merge the bills and reference-data branches

Revision ID: 0003
Revises: 0002_bills, 0002_reference
Create Date: 2026-11-23
"""

revision = "0003"
down_revision = ("0002_bills", "0002_reference")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
