"""index on presented_at: the record list's order (newest first) without sorting every match

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_presented_at", "records", ["presented_at"])


def downgrade() -> None:
    op.drop_index("ix_records_presented_at", "records")
