"""initial schema of the record store

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "keyring",
        sa.Column("key_id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("salt", sa.LargeBinary, nullable=False),
        sa.Column("wrapped", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("root_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("supersedes", sa.String(32), nullable=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("presented_at", sa.String(40), nullable=False),
        sa.Column("presented_date", sa.String(10), nullable=False),
        sa.Column("operator", sa.String(128), nullable=False),
        sa.Column("counter", sa.String(128), nullable=False),
        sa.Column("document", sa.String(32), nullable=False),
        sa.Column("document_generation", sa.String(32), nullable=True),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("retention", sa.String(40), nullable=False),
        sa.Column("retention_until", sa.String(10), nullable=True),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("images", sa.LargeBinary, nullable=True),
        sa.UniqueConstraint("idempotency_key", name="uq_records_idempotency_key"),
    )
    op.create_index("ix_records_root", "records", ["root_id", "version"])
    op.create_index("ix_records_supersedes", "records", ["supersedes"])
    op.create_index("ix_records_presented", "records", ["presented_date"])
    op.create_index("ix_records_operator", "records", ["operator", "presented_date"])
    op.create_index("ix_records_retention", "records", ["retention_until"])
    op.create_table(
        "record_tokens",
        sa.Column("record_id", sa.String(32), primary_key=True),
        sa.Column("field", sa.String(8), primary_key=True),
        sa.Column("token", sa.String(24), primary_key=True),
    )
    op.create_index("ix_record_tokens_lookup", "record_tokens", ["field", "token"])
    op.create_table(
        "chain",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("record_id", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("prev", sa.LargeBinary, nullable=False),
        sa.Column("mac", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_chain_record", "chain", ["record_id"])
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("mac", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("record_ids", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])


def downgrade() -> None:
    for name in ("access_log", "chain_head", "chain", "record_tokens", "records", "accounts", "keyring", "store_meta"):
        op.drop_table(name)
