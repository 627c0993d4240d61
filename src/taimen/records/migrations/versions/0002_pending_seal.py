"""records waiting to be linked into the chain (PostgreSQL saves are sealed in batches)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_seal",
        sa.Column("n", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(32), nullable=False, unique=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("mac", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pending_seal")
