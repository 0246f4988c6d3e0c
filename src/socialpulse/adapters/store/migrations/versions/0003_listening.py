"""Listening: brand queries, sentiment corrections, spike alerts.

Revision ID: 0003_listening
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_listening"
down_revision = "0001"
branch_labels = None
depends_on = None


def _fk(table: str) -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "listening_queries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, _fk("workspaces"), nullable=False),
        sa.Column("brand_id", sa.Integer, _fk("brands"), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("brand_id"),
    )
    op.create_table(
        "mention_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, _fk("workspaces"), nullable=False),
        sa.Column("mention_id", sa.String(300), nullable=False),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("model_sentiment", sa.String(10), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "mention_id"),
    )
    op.create_table(
        "listening_alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, _fk("workspaces"), nullable=False),
        sa.Column("brand_id", sa.Integer, _fk("brands"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("peak_day", sa.Date, nullable=False),
        sa.Column("observed", sa.Float, nullable=False),
        sa.Column("expected", sa.Float, nullable=False),
        sa.Column("z", sa.Float, nullable=False),
        sa.Column("volume", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "brand_id", "kind", "start"),
    )


def downgrade() -> None:
    op.drop_table("listening_alerts")
    op.drop_table("mention_corrections")
    op.drop_table("listening_queries")
