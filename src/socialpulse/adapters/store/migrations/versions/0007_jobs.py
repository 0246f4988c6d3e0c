"""The durable job queue: one table of background jobs (imports, scheduled reports...).

Revision ID: 0007_jobs
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0007_jobs"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        col.id_column(),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        col.timestamp_column("run_at"),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        col.timestamp_column("lease_until", nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("progress", sa.JSON, nullable=False),
        sa.Column("enqueued_by", sa.String(200), nullable=False),
        col.timestamp_column("created_at"),
        col.timestamp_column("updated_at"),
    )
    op.create_index("ix_jobs_state_run_at", "jobs", ["state", "run_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_state_run_at", table_name="jobs")
    op.drop_table("jobs")
