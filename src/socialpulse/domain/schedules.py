"""Scheduled reports as values: a schedule and a delivery record (pure data).

Shared by the reports repository (which stores them) and the schedules service (which runs
them through the job queue), so the service needs no adapter type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Schedule:
    """A workspace's recurring report: cadence, format, folder and e-mail recipients."""

    id: int
    workspace_id: int
    cadence: str
    format: str
    folder: str
    recipients: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    """One delivered period of a schedule: the file written and who was e-mailed."""

    schedule_id: int
    period_key: str
    status: str
    path: str | None
    emailed_to: str
    created_at: datetime
