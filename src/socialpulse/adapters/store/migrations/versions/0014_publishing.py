"""Publishing: posts, their per-network variants and the outbox's sends.

Revision ID: 0014_publishing
Revises: 0010_connections
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0014_publishing"
down_revision = "0010_connections"  # variants name the connection they publish through
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publish_posts",
        col.id_column(),
        col.workspace_column(index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("goal", sa.String(200), nullable=False),
        sa.Column("scheduled_local", sa.String(20), nullable=True),
        sa.Column("zone", sa.String(64), nullable=False),
        col.timestamp_column("scheduled_at", nullable=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        col.timestamp_column("created_at"),
        col.timestamp_column("updated_at"),
    )
    op.create_table(
        "publish_variants",
        col.id_column(),
        col.ref_column("post_id", "publish_posts", nullable=False),
        sa.Column("network", sa.String(20), nullable=False),
        col.ref_column("connection_id", "connections", nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("links", sa.Text, nullable=False),
        sa.Column("media", sa.Text, nullable=False),
        sa.UniqueConstraint("post_id", "network"),
    )
    op.create_table(
        "publish_sends",
        col.id_column(),
        col.ref_column("post_id", "publish_posts", nullable=False),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("job_id", sa.Integer, nullable=True),
        sa.Column("platform_id", sa.String(300), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        col.timestamp_column("sent_at", nullable=True),
        col.timestamp_column("updated_at"),
        sa.UniqueConstraint("post_id", "network"),
    )


def downgrade() -> None:
    op.drop_table("publish_sends")
    op.drop_table("publish_variants")
    op.drop_table("publish_posts")
