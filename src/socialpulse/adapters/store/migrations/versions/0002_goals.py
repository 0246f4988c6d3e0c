"""Goals and OKRs: goals, milestones, check-ins, status history, objectives, key results.

Revision ID: 0002_goals
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0002_goals"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goals",
        col.id_column(),
        col.workspace_column(),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("template_id", sa.String(120), nullable=True),
        sa.Column("goal_type", sa.String(60), nullable=False),
        sa.Column("objective", sa.Text, nullable=False),
        sa.Column("metric", sa.String(80), nullable=False),
        sa.Column("variant", sa.String(80), nullable=True),
        sa.Column("scope", sa.JSON, nullable=False),
        sa.Column("baseline_start", sa.Date, nullable=False),
        sa.Column("baseline_end", sa.Date, nullable=False),
        sa.Column("baseline_value", sa.Float, nullable=False),
        sa.Column("baseline_how", sa.JSON, nullable=False),
        sa.Column("window_days", sa.Integer, nullable=False),
        sa.Column("target_value", sa.Float, nullable=False),
        sa.Column("target_change_pct", sa.Float, nullable=True),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("smart", sa.JSON, nullable=False),
        sa.Column("key_result_id", sa.Integer, nullable=True),
        col.timestamp_column("created_at"),
        col.timestamp_column("archived_at", nullable=True),
    )
    op.create_index("ix_goals_ws", "goals", ["workspace_id", "archived_at"])
    op.create_table(
        "goal_milestones",
        col.id_column(),
        col.ref_column("goal_id", "goals", nullable=False, index=True),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("target_value", sa.Float, nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
    )
    op.create_table(
        "goal_checkins",
        col.id_column(),
        col.ref_column("goal_id", "goals", nullable=False, index=True),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("progress", sa.Float, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        col.timestamp_column("created_at"),
    )
    op.create_table(
        "goal_status_history",
        col.id_column(),
        col.ref_column("goal_id", "goals", nullable=False, index=True),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("progress", sa.Float, nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("forecast", sa.Float, nullable=True),
        col.timestamp_column("recorded_at"),
    )
    op.create_table(
        "okr_objectives",
        col.id_column(),
        col.workspace_column(index=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        col.timestamp_column("created_at"),
        col.timestamp_column("archived_at", nullable=True),
    )
    op.create_table(
        "okr_key_results",
        col.id_column(),
        col.ref_column("objective_id", "okr_objectives", nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        col.ref_column("goal_id", "goals", ondelete="SET NULL", nullable=True),
    )
    op.create_table(
        "okr_checkins",
        col.id_column(),
        col.ref_column("key_result_id", "okr_key_results", nullable=False, index=True),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("grade", sa.Float, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        col.timestamp_column("created_at"),
    )


def downgrade() -> None:
    op.drop_table("okr_checkins")
    op.drop_table("okr_key_results")
    op.drop_table("okr_objectives")
    op.drop_table("goal_status_history")
    op.drop_table("goal_checkins")
    op.drop_table("goal_milestones")
    op.drop_index("ix_goals_ws", table_name="goals")
    op.drop_table("goals")
