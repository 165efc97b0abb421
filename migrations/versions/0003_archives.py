"""archives: state and report blobs per site, segment, period and date; stored segments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _blob() -> sa.types.TypeEngine[bytes]:
    return sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "archive_state",
        sa.Column("idsite", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("period", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("date1", sa.Date(), nullable=False),
        sa.Column("date2", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("done_version", sa.Integer(), nullable=True),
        sa.Column("ts_archived", sa.DateTime(), nullable=True),
        sa.Column("lock_token", sa.String(length=32), nullable=True),
        sa.Column("lock_expires", sa.DateTime(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "idsite", "segment", "period", "date1", name=op.f("pk_archive_state")
        ),
    )
    with op.batch_alter_table("archive_state", schema=None) as batch_op:
        batch_op.create_index(
            "ix_archive_state_site_dates", ["idsite", "date1", "date2"], unique=False
        )
    op.create_table(
        "archive_record",
        sa.Column("idsite", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("period", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("date1", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("value", _blob(), nullable=False),
        sa.PrimaryKeyConstraint(
            "idsite", "segment", "period", "date1", "name", name=op.f("pk_archive_record")
        ),
    )
    op.create_table(
        "segment",
        sa.Column("idsegment", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=32), nullable=False),
        sa.Column("login", sa.String(length=100), nullable=True),
        sa.Column("enable_all_users", sa.Boolean(), nullable=False),
        sa.Column("enable_only_idsite", sa.Integer(), nullable=False),
        sa.Column("auto_archive", sa.Boolean(), nullable=False),
        sa.Column("ts_created", sa.DateTime(), nullable=False),
        sa.Column("ts_last_edit", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("idsegment", name=op.f("pk_segment")),
    )
    with op.batch_alter_table("segment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_segment_hash"), ["hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("segment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_segment_hash"))
    op.drop_table("segment")
    op.drop_table("archive_record")
    with op.batch_alter_table("archive_state", schema=None) as batch_op:
        batch_op.drop_index("ix_archive_state_site_dates")
    op.drop_table("archive_state")
