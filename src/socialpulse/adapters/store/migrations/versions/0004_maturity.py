"""Audit runs and baselines, organisation profiles, assessments, benchmark packs (aggregates).

Revision ID: 0004_maturity
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_maturity"
down_revision = "0001"
branch_labels = None
depends_on = None


def _fk(table: str, ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "maturity_audit_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, _fk("workspaces"), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_runs_ws", "maturity_audit_runs", ["workspace_id", "created_at"])
    op.create_table(
        "maturity_baselines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, _fk("maturity_audit_runs"), nullable=False),
        sa.Column("workspace_id", sa.Integer, _fk("workspaces"), nullable=False),
        sa.Column("account_id", sa.Integer, _fk("accounts"), nullable=True),
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
        sa.Column("workspace_id", sa.Integer, _fk("workspaces"), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("industry", sa.String(40), nullable=False),
        sa.Column("size_band", sa.String(20), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "maturity_assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer, _fk("workspaces"), nullable=False),
        sa.Column("questionnaire_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("scores", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_assessments_ws", "maturity_assessments", ["workspace_id", "status"])
    op.create_table(
        "maturity_benchmark_packs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("questionnaire_version", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "maturity_benchmark_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pack_id", sa.Integer, _fk("maturity_benchmark_packs"), nullable=False),
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
