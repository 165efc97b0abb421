"""annotations: dated notes on a site's reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "annotation",
        sa.Column("idnote", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idsite", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=False),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("login", sa.String(length=100), nullable=False),
        sa.Column("ts_created", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idsite"],
            ["site.idsite"],
            name=op.f("fk_annotation_idsite_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idnote", name=op.f("pk_annotation")),
    )
    with op.batch_alter_table("annotation", schema=None) as batch_op:
        batch_op.create_index("ix_annotation_site_date", ["idsite", "date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("annotation", schema=None) as batch_op:
        batch_op.drop_index("ix_annotation_site_date")
    op.drop_table("annotation")
