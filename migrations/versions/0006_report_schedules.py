"""report schedules: scheduled email reports and the record of every sending

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_schedule",
        sa.Column("idreport", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idsite", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("idsegment", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("period_param", sa.String(length=10), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("reports", sa.Text(), nullable=False),
        sa.Column("evolution_graph", sa.Boolean(), nullable=False),
        sa.Column("row_limit", sa.Integer(), nullable=False),
        sa.Column("email_me", sa.Boolean(), nullable=False),
        sa.Column("recipient_logins", sa.Text(), nullable=False),
        sa.Column("recipient_emails", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("fanout", sa.Text(), nullable=True),
        sa.Column("ts_created", sa.DateTime(), nullable=False),
        sa.Column("ts_updated", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idsite"],
            ["site.idsite"],
            name=op.f("fk_report_schedule_idsite_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idreport", name=op.f("pk_report_schedule")),
    )
    with op.batch_alter_table("report_schedule", schema=None) as batch_op:
        batch_op.create_index("ix_report_schedule_site", ["idsite", "deleted"], unique=False)
    op.create_table(
        "report_sending",
        sa.Column("idsending", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idreport", sa.Integer(), nullable=False),
        sa.Column("cadence", sa.String(length=10), nullable=False),
        sa.Column("cadence_start", sa.Date(), nullable=False),
        sa.Column("fanout_hash", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("fanout_value", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("date1", sa.Date(), nullable=False),
        sa.Column("date2", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("transient", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("ts_claimed", sa.DateTime(), nullable=False),
        sa.Column("claim_expires", sa.DateTime(), nullable=False),
        sa.Column("ts_finished", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["idreport"],
            ["report_schedule.idreport"],
            name=op.f("fk_report_sending_idreport_report_schedule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idsending", name=op.f("pk_report_sending")),
        sa.UniqueConstraint(
            "idreport", "cadence", "cadence_start", "fanout_hash", "nonce", name="uq_sending_key"
        ),
    )
    with op.batch_alter_table("report_sending", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_sending_status", ["status", "claim_expires"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_sending", schema=None) as batch_op:
        batch_op.drop_index("ix_report_sending_status")
    op.drop_table("report_sending")
    with op.batch_alter_table("report_schedule", schema=None) as batch_op:
        batch_op.drop_index("ix_report_schedule_site")
    op.drop_table("report_schedule")
