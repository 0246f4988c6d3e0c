"""The small interfaces services need from adapters (dependencies point inward)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import pyarrow as pa

from socialpulse.domain.jobs import Job, JobState
from socialpulse.domain.models import Account
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import PlannedMetric, QueryPlan


class EngineRunResult(Protocol):
    columns: list[str]
    rows: list[dict[str, Any]]
    missing: dict[str, list[str]]
    excluded: dict[str, list[int]]


class MetricEngine(Protocol):
    def run(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> EngineRunResult: ...

    def sql(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> str: ...

    def posts(self, workspace_id: int, account_ids: Sequence[int], period: DateRange | None,
              tz: str, rate: PlannedMetric, sort: str, limit: int, offset: int = 0,
              search: str | None = None) -> tuple[pa.Table, int]: ...


class JobQueue(Protocol):
    """The durable job queue (`adapters/store/jobs_repo.JobsRepo`); times are UTC, given by
    the caller. Claiming is atomic: two workers never hold one job."""

    def enqueue(self, kind: str, payload: Mapping[str, Any], *, now: datetime,
                run_at: datetime, max_attempts: int, enqueued_by: str,
                key: str | None = None) -> tuple[Job, bool]: ...

    def get(self, job_id: int) -> Job | None: ...

    def by_key(self, key: str) -> Job | None: ...

    def claim(self, worker: str, *, now: datetime, lease_until: datetime,
              kinds: Sequence[str], ids: Sequence[int] | None = None) -> Job | None: ...

    def heartbeat(self, job_id: int, worker: str, *, now: datetime, lease_until: datetime,
                  progress: Mapping[str, Any] | None = None) -> bool: ...

    def finish(self, job_id: int, worker: str, state: JobState, *, now: datetime,
               result: Mapping[str, Any] | None = None, error: str | None = None,
               run_at: datetime | None = None) -> bool: ...

    def expired(self, now: datetime) -> list[Job]: ...

    def settle_expired(self, job: Job, state: JobState, *, now: datetime, error: str,
                       run_at: datetime | None = None) -> bool: ...

    def retry_now(self, job_id: int, *, now: datetime) -> bool: ...

    def jobs(self, states: Sequence[JobState] | None = None, limit: int = 100) -> list[Job]: ...


# --- Listening: mention queries and writes, NLP, mention sources, its tables ------------------
