"""Ingest ledger: who owns a pending batch (lease), when a batch left the committed set, what a
compaction merged it into, and at most one pending batch per content.

Revision ID: 0006_ledger_leases
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_ledger_leases"
down_revision = "0001"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.add_column(sa.Column("owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.Integer, nullable=True))
    # the race this index closes may have left two pending rows for one content: both are
    # invisible crashed imports; keep the oldest so the unique index can be built
    op.execute(
        "DELETE FROM ingest_batches WHERE status = 'pending' AND id NOT IN ("
        "SELECT min_id FROM (SELECT MIN(id) AS min_id FROM ingest_batches "
        "WHERE status = 'pending' GROUP BY workspace_id, content_hash) AS keep)"
    )
    op.create_index("ux_batches_pending", "ingest_batches", ["workspace_id", "content_hash"],
                    unique=True, sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade() -> None:
    op.drop_index("ux_batches_pending", table_name="ingest_batches")
    with op.batch_alter_table("ingest_batches") as batch:
        for name in ("merged_into", "retired_at", "lease_until", "owner"):
            batch.drop_column(name)
