"""The activity log: one row per app-table row created, changed or removed, with who did it.

Revision ID: 0011_change_log
Revises: 0007_jobs
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0011_change_log"
down_revision = "0007_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        col.id_column(),
        col.timestamp_column("at"),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("actor_kind", sa.String(20), nullable=False),
        sa.Column("action", sa.String(40), nullable=True),
        sa.Column("workspace", sa.String(63), nullable=True),
        sa.Column("subject", sa.String(63), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("change", sa.String(10), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_change_log_ws_at", "change_log", ["workspace", "at"])
    op.create_index("ix_change_log_at", "change_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_change_log_at", table_name="change_log")
    op.drop_index("ix_change_log_ws_at", table_name="change_log")
    op.drop_table("change_log")
