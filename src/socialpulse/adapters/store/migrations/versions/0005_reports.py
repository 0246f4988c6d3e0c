"""Report branding, schedules and deliveries.

Revision ID: 0005_reports
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0005_reports"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_branding",
        col.ref_column("workspace_id", "workspaces", primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("primary_colour", sa.String(7), nullable=True),
        sa.Column("accent_colour", sa.String(7), nullable=True),
        sa.Column("logo", sa.LargeBinary, nullable=True),
        sa.Column("logo_type", sa.String(40), nullable=True),
    )
    op.create_table(
        "report_schedules",
        col.id_column(),
        col.workspace_column(),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("folder", sa.Text, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        col.timestamp_column("created_at"),
    )
    op.create_table(
        "report_deliveries",
        col.id_column(),
        col.ref_column("schedule_id", "report_schedules", nullable=False),
        sa.Column("period_key", sa.String(40), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("path", sa.Text, nullable=True),
        sa.Column("emailed_to", sa.Text, nullable=False),
        col.timestamp_column("created_at"),
        sa.UniqueConstraint("schedule_id", "period_key", name="uq_report_delivery"),
    )


def downgrade() -> None:
    op.drop_table("report_deliveries")
    op.drop_table("report_schedules")
    op.drop_table("report_branding")
