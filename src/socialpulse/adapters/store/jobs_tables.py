"""The app table of the job queue (`jobs`): one row per background job, whoever runs it.

The row is the source of truth: a worker claims a job by setting its lease (owner and expiry)
in one conditional update, extends the lease while it works, and records the outcome with a
compare-and-set on its ownership. A unique idempotency key makes enqueueing the same work
twice return the first job. See `jobs_repo.JobsRepo` and `services/jobs.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .columns import id_pk, timestamp
from .tables import Base


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_at", "state", "run_at"),)
    id: Mapped[int] = id_pk()
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    run_at: Mapped[datetime] = timestamp()
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True,
                                                        unique=True)
    lease_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = timestamp(nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    enqueued_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = timestamp()
    updated_at: Mapped[datetime] = timestamp()
