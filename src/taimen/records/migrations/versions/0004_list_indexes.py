"""indexes that give every 記録一覧 search its order (newest first) without sorting the matches

The list is ordered by (presented_date, presented_at, id), newest first. Each filter the page offers gets an
index that starts with the filter's column and continues in that order, so a page reads ``limit + offset``
index entries however many records match. The blind index carries the presentation date and time too, so a
name search walks its own index in list order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ORDER = ["presented_date", "presented_at", "id"]


def upgrade() -> None:
    op.add_column("record_tokens", sa.Column("presented_date", sa.String(10), nullable=True))
    op.add_column("record_tokens", sa.Column("presented_at", sa.String(40), nullable=True))
    op.execute(
        "UPDATE record_tokens SET"
        " presented_date = (SELECT r.presented_date FROM records r WHERE r.id = record_tokens.record_id),"
        " presented_at = (SELECT r.presented_at FROM records r WHERE r.id = record_tokens.record_id)"
    )
    op.drop_index("ix_record_tokens_lookup", "record_tokens")
    op.create_index(
        "ix_record_tokens_list", "record_tokens", ["field", "token", "presented_date", "presented_at", "record_id"]
    )
    op.drop_index("ix_records_presented", "records")
    op.drop_index("ix_records_presented_at", "records")
    op.drop_index("ix_records_operator", "records")
    op.create_index("ix_records_list", "records", _ORDER)
    for col in ("operator", "document", "verdict"):
        op.create_index(f"ix_records_{col}_list", "records", [col, *_ORDER])


def downgrade() -> None:
    for col in ("operator", "document", "verdict"):
        op.drop_index(f"ix_records_{col}_list", "records")
    op.drop_index("ix_records_list", "records")
    op.create_index("ix_records_operator", "records", ["operator", "presented_date"])
    op.create_index("ix_records_presented_at", "records", ["presented_at"])
    op.create_index("ix_records_presented", "records", ["presented_date"])
    op.drop_index("ix_record_tokens_list", "record_tokens")
    op.create_index("ix_record_tokens_lookup", "record_tokens", ["field", "token"])
    with op.batch_alter_table("record_tokens") as batch:
        batch.drop_column("presented_at")
        batch.drop_column("presented_date")
