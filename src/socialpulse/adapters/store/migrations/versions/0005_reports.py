"""Report branding, schedules and deliveries.

Revision ID: 0005_reports
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_reports"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_branding",
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("primary_colour", sa.String(7), nullable=True),
        sa.Column("accent_colour", sa.String(7), nullable=True),
        sa.Column("logo", sa.LargeBinary, nullable=True),
        sa.Column("logo_type", sa.String(40), nullable=True),
    )
    op.create_table(
        "report_schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("folder", sa.Text, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "report_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("schedule_id", sa.Integer,
                  sa.ForeignKey("report_schedules.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period_key", sa.String(40), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("path", sa.Text, nullable=True),
        sa.Column("emailed_to", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("schedule_id", "period_key", name="uq_report_delivery"),
    )


def downgrade() -> None:
    op.drop_table("report_deliveries")
    op.drop_table("report_schedules")
    op.drop_table("report_branding")
