"""App tables of goals and OKRs: goals, milestones, check-ins, status history, objectives, key
results and key-result check-ins. Everything is scoped by workspace (through the goal or the
objective); deleting a workspace deletes them (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base


class GoalRow(Base):
    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_ws", "workspace_id", "archived_at"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    template_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    goal_type: Mapped[str] = mapped_column(String(60), nullable=False)
    objective: Mapped[str] = mapped_column(Text, nullable=False)
    metric: Mapped[str] = mapped_column(String(80), nullable=False)
    variant: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # {"account_ids": [...], "networks": [...], "campaign": str|null}
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    baseline_start: Mapped[date] = mapped_column(Date, nullable=False)
    baseline_end: Mapped[date] = mapped_column(Date, nullable=False)
    baseline_value: Mapped[float] = mapped_column(Float, nullable=False)
    baseline_how: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    window_days: Mapped[int] = mapped_column(Integer, nullable=False)
    target_value: Mapped[float] = mapped_column(Float, nullable=False)
    target_change_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    deadline: Mapped[date] = mapped_column(Date, nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    smart: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False)
    key_result_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = timestamp()
    archived_at: Mapped[datetime | None] = timestamp(nullable=True)


class GoalMilestoneRow(Base):
    __tablename__ = "goal_milestones"
    id: Mapped[int] = id_pk()
    goal_id: Mapped[int] = ref("goals", nullable=False, index=True)
    due: Mapped[date] = mapped_column(Date, nullable=False)
    target_value: Mapped[float] = mapped_column(Float, nullable=False)
    label: Mapped[str] = mapped_column(String(300), nullable=False, default="")


class GoalCheckinRow(Base):
    __tablename__ = "goal_checkins"
    id: Mapped[int] = id_pk()
    goal_id: Mapped[int] = ref("goals", nullable=False, index=True)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    progress: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = timestamp()


class GoalStatusRow(Base):
    """One row each time a goal's status changes (and at every check-in)."""

    __tablename__ = "goal_status_history"
    id: Mapped[int] = id_pk()
    goal_id: Mapped[int] = ref("goals", nullable=False, index=True)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    progress: Mapped[float | None] = mapped_column(Float, nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    forecast: Mapped[float | None] = mapped_column(Float, nullable=True)
    recorded_at: Mapped[datetime] = timestamp()


class OkrObjectiveRow(Base):
    __tablename__ = "okr_objectives"
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref(index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # committed | aspirational
    deadline: Mapped[date] = mapped_column(Date, nullable=False)
    owner: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = timestamp()
    archived_at: Mapped[datetime | None] = timestamp(nullable=True)


class OkrKeyResultRow(Base):
    __tablename__ = "okr_key_results"
    id: Mapped[int] = id_pk()
    objective_id: Mapped[int] = ref("okr_objectives", nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # metric | milestone
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    goal_id: Mapped[int | None] = ref("goals", ondelete="SET NULL", nullable=True)


class OkrCheckinRow(Base):
    """A grade given to a milestone key result at a check-in."""

    __tablename__ = "okr_checkins"
    id: Mapped[int] = id_pk()
    key_result_id: Mapped[int] = ref("okr_key_results", nullable=False, index=True)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    grade: Mapped[float] = mapped_column(Float, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    author: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = timestamp()
