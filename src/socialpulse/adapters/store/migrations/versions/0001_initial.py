"""Initial schema: workspaces, brands, accounts and the ingest ledger.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        col.id_column(),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("languages", sa.JSON, nullable=False),
        col.timestamp_column("created_at"),
    )
    op.create_table(
        "brands",
        col.id_column(),
        col.workspace_column(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("is_own", sa.Boolean, nullable=False),
        sa.UniqueConstraint("workspace_id", "name"),
    )
    op.create_table(
        "accounts",
        col.id_column(),
        col.workspace_column(),
        col.ref_column("brand_id", "brands", ondelete="SET NULL", nullable=True),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("function", sa.String(40), nullable=False),
        col.timestamp_column("created_at"),
        sa.UniqueConstraint("workspace_id", "network", "handle"),
    )
    op.create_table(
        "ingest_batches",
        col.id_column(),
        col.workspace_column(),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rows", sa.JSON, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        col.timestamp_column("created_at"),
        col.timestamp_column("committed_at", nullable=True),
    )
    op.create_index("ix_batches_ws_hash", "ingest_batches", ["workspace_id", "content_hash"])


def downgrade() -> None:
    op.drop_index("ix_batches_ws_hash", table_name="ingest_batches")
    op.drop_table("ingest_batches")
    op.drop_table("accounts")
    op.drop_table("brands")
    op.drop_table("workspaces")
