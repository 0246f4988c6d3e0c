"""Audit runs and baselines, organisation profiles, assessments, benchmark packs (aggregates).

Revision ID: 0004_maturity
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0004_maturity"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maturity_audit_runs",
        col.id_column(),
        col.workspace_column(),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        col.timestamp_column("created_at"),
        sa.Column("report", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_runs_ws", "maturity_audit_runs", ["workspace_id", "created_at"])
    op.create_table(
        "maturity_baselines",
        col.id_column(),
        col.ref_column("run_id", "maturity_audit_runs", nullable=False),
        col.workspace_column(),
        col.ref_column("account_id", "accounts", nullable=True),
        sa.Column("metric", sa.String(80), nullable=False),
        sa.Column("variant", sa.String(80), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("how", sa.Text, nullable=False),
    )
    op.create_index("ix_baselines_run", "maturity_baselines", ["run_id"])
    op.create_table(
        "maturity_profiles",
        col.ref_column("workspace_id", "workspaces", primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("size_band", sa.String(20), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        col.timestamp_column("updated_at"),
    )
    op.create_table(
        "maturity_assessments",
        col.id_column(),
        col.workspace_column(),
        sa.Column("questionnaire_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("scores", sa.JSON, nullable=True),
        col.timestamp_column("created_at"),
        col.timestamp_column("updated_at"),
        col.timestamp_column("completed_at", nullable=True),
    )
    op.create_index("ix_assessments_ws", "maturity_assessments", ["workspace_id", "status"])
    op.create_table(
        "maturity_benchmark_packs",
        col.id_column(),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("questionnaire_version", sa.Integer, nullable=False),
        col.timestamp_column("imported_at"),
    )
    op.create_table(
        "maturity_benchmark_groups",
        col.id_column(),
        col.ref_column("pack_id", "maturity_benchmark_packs", nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("size_band", sa.String(20), nullable=False),
        sa.Column("dimension", sa.String(40), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        *[sa.Column(q, sa.Float, nullable=False) for q in ("p10", "p25", "p50", "p75", "p90")],
    )
    op.create_index("ix_bench_groups_pack", "maturity_benchmark_groups", ["pack_id", "industry"])


def downgrade() -> None:
    op.drop_index("ix_bench_groups_pack", table_name="maturity_benchmark_groups")
    op.drop_table("maturity_benchmark_groups")
    op.drop_table("maturity_benchmark_packs")
    op.drop_index("ix_assessments_ws", table_name="maturity_assessments")
    op.drop_table("maturity_assessments")
    op.drop_table("maturity_profiles")
    op.drop_index("ix_baselines_run", table_name="maturity_baselines")
    op.drop_table("maturity_baselines")
    op.drop_index("ix_audit_runs_ws", table_name="maturity_audit_runs")
    op.drop_table("maturity_audit_runs")
