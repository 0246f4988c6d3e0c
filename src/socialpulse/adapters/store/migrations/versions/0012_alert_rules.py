"""Live listening: sources polled or streamed (with their cursors), alert rules per brand, and
the alerts they fired (with an acknowledgement token).

Revision ID: 0012_alert_rules
Revises: 0007_jobs
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0012_alert_rules"
down_revision = "0007_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listening_sources",
        col.id_column(),
        col.workspace_column(),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("query", sa.String(500), nullable=False),
        sa.Column("instance_url", sa.String(500), nullable=False),
        sa.Column("interval_s", sa.Integer, nullable=False),
        sa.Column("cursor", sa.Text, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("mentions", sa.Integer, nullable=False),
        col.timestamp_column("last_polled_at", nullable=True),
        col.timestamp_column("created_at"),
        sa.UniqueConstraint("workspace_id", "network", "kind", "query", "instance_url"),
    )
    op.create_table(
        "alert_rules",
        col.id_column(),
        col.workspace_column(),
        col.ref_column("brand_id", "brands", nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("min_volume", sa.Integer, nullable=False),
        sa.Column("window_minutes", sa.Integer, nullable=False),
        sa.Column("keyword", sa.String(200), nullable=True),
        sa.Column("cooldown_minutes", sa.Integer, nullable=False),
        sa.Column("quiet_start", sa.String(5), nullable=True),
        sa.Column("quiet_end", sa.String(5), nullable=True),
        sa.Column("emails", sa.Text, nullable=False),
        sa.Column("webhook_url", sa.Text, nullable=True),
        col.timestamp_column("created_at"),
        col.timestamp_column("last_fired_at", nullable=True),
    )
    op.create_table(
        "alert_events",
        col.id_column(),
        col.workspace_column(),
        col.ref_column("rule_id", "alert_rules", nullable=False),
        sa.Column("bucket", sa.String(40), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        col.timestamp_column("fired_at"),
        col.timestamp_column("acknowledged_at", nullable=True),
        sa.UniqueConstraint("rule_id", "bucket"),
    )


def downgrade() -> None:
    op.drop_table("alert_events")
    op.drop_table("alert_rules")
    op.drop_table("listening_sources")
