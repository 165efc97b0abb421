"""ingest idempotency keys; unique action-dictionary digest

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _binary(length: int) -> sa.types.TypeEngine[bytes]:
    return sa.LargeBinary(length).with_variant(mysql.BINARY(length), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "ingest_key",
        sa.Column("key", _binary(16), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_ingest_key")),
    )
    with op.batch_alter_table("ingest_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_key_processed_at"), ["processed_at"])
    with op.batch_alter_table("log_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", _binary(16), nullable=True))
        batch_op.create_unique_constraint("uq_log_action_type_digest", ["type", "digest"])


def downgrade() -> None:
    with op.batch_alter_table("log_action", schema=None) as batch_op:
        batch_op.drop_constraint("uq_log_action_type_digest", type_="unique")
        batch_op.drop_column("digest")
    op.drop_table("ingest_key")
