"""Listening: brand queries, sentiment corrections, spike alerts.

Revision ID: 0003_listening
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0003_listening"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listening_queries",
        col.id_column(),
        col.workspace_column(),
        col.ref_column("brand_id", "brands", nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        col.timestamp_column("updated_at"),
        sa.UniqueConstraint("brand_id"),
    )
    op.create_table(
        "mention_corrections",
        col.id_column(),
        col.workspace_column(),
        sa.Column("mention_id", sa.String(300), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("model_sentiment", sa.String(10), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        col.timestamp_column("corrected_at"),
        sa.UniqueConstraint("workspace_id", "mention_id"),
    )
    op.create_table(
        "listening_alerts",
        col.id_column(),
        col.workspace_column(),
        col.ref_column("brand_id", "brands", nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("peak_day", sa.Date, nullable=False),
        sa.Column("observed", sa.Float, nullable=False),
        sa.Column("expected", sa.Float, nullable=False),
        sa.Column("z", sa.Float, nullable=False),
        sa.Column("volume", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        col.timestamp_column("detected_at"),
        sa.UniqueConstraint("workspace_id", "brand_id", "kind", "start"),
    )


def downgrade() -> None:
    op.drop_table("listening_alerts")
    op.drop_table("mention_corrections")
    op.drop_table("listening_queries")
