"""Connected accounts: one row per account a workspace syncs from a network's API.

Revision ID: 0010_connections
Revises: 0007_jobs
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0010_connections"
down_revision = "0007_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connections",
        col.id_column(),
        col.workspace_column(),
        col.ref_column("account_id", "accounts", nullable=False),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("server", sa.String(300), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("secret", sa.Text, nullable=True),
        sa.Column("secret_fingerprint", sa.String(32), nullable=False),
        sa.Column("cursor", sa.String(200), nullable=True),
        col.timestamp_column("last_sync_at", nullable=True),
        col.timestamp_column("next_sync_at", nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("auth_failures", sa.Integer, nullable=False),
        sa.Column("quota_limit", sa.Integer, nullable=True),
        sa.Column("quota_remaining", sa.Integer, nullable=True),
        col.timestamp_column("quota_reset_at", nullable=True),
        sa.Column("synced_posts", sa.Integer, nullable=False),
        sa.Column("sync_owner", sa.String(200), nullable=True),
        col.timestamp_column("sync_until", nullable=True),
        col.timestamp_column("sync_observed_at", nullable=True),
        col.timestamp_column("created_at"),
        col.timestamp_column("updated_at"),
        sa.UniqueConstraint("workspace_id", "network", "handle"),
    )


def downgrade() -> None:
    op.drop_table("connections")
