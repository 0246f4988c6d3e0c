"""Access: workspace memberships (a role per user and workspace) and API tokens.

Revision ID: 0009_access
Revises: 0008_identity
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0009_access"
down_revision = "0008_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "memberships",
        col.id_column(),
        col.workspace_column(),
        col.ref_column("user_id", "users", nullable=False, index=True),
        sa.Column("role", sa.String(20), nullable=False),
        col.timestamp_column("created_at"),
        sa.UniqueConstraint("workspace_id", "user_id"),
    )
    op.create_table(
        "api_tokens",
        col.id_column(),
        col.ref_column("user_id", "users", nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("workspace_ids", sa.JSON, nullable=True),
        sa.Column("read_only", sa.Boolean, nullable=False),
        col.timestamp_column("created_at"),
        col.timestamp_column("expires_at", nullable=True),
        col.timestamp_column("last_used_at", nullable=True),
        col.timestamp_column("revoked_at", nullable=True),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_table("memberships")
