"""Stored goals as plain values: the goal, its milestones, check-ins and status history.

The repository builds these from rows and the services pass them around; nothing here reads
or writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..periods import DateRange


@dataclass(frozen=True)
class Milestone:
    due: date
    target: float
    label: str = ""


@dataclass(frozen=True)
class Goal:
    """A SMART goal as stored: what is measured, for whom, from where to where, by when."""

    id: int
    workspace_id: int
    title: str
    goal_type: str
    objective: str
    metric: str
    variant: str | None
    account_ids: tuple[int, ...]
    networks: tuple[str, ...]
    campaign: str | None
    baseline: DateRange
    baseline_value: float
    baseline_how: Mapping[str, Any]
    window_days: int
    target_value: float
    target_change_pct: float | None
    start_date: date
    deadline: date
    owner: str = ""
    template_id: str | None = None
    smart: tuple[Mapping[str, str], ...] = ()
    milestones: tuple[Milestone, ...] = ()
    key_result_id: int | None = None
    archived: bool = False


@dataclass(frozen=True)
class CheckIn:
    on: date
    author: str
    comment: str
    value: float | None
    progress: float | None
    status: str


@dataclass(frozen=True)
class StatusEntry:
    on: date
    status: str
    reason: str
    progress: float | None
    value: float | None
    forecast: float | None
