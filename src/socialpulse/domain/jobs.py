"""Background jobs as values: what a queued job is, its states, and what a lost worker means.

The queue itself (a table of the app database) and the runner live outside the domain; this
module holds the vocabulary both share, so a job's state reads the same in the CLI, the pages
and the database. Pure: times are given, never read from a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    """Where a job is. ``queued`` and ``running`` are live; the other three are final."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    UNKNOWN = "outcome-unknown"

    @property
    def words(self) -> str:
        """The state as people read it (never the stored name)."""
        return {"queued": "waiting", "running": "running", "done": "done", "failed": "failed",
                "outcome-unknown": "outcome unknown"}[self.value]

    @property
    def final(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.UNKNOWN)


class OnExpiry(StrEnum):
    """What a lease that ran out (the worker died or hung) means for a kind of job.

    ``retry``: the work is idempotent (a file written atomically, an import batch that
    completes itself), so another worker simply runs it again. ``outcome-unknown``: the work
    acts outside (an e-mail sent), so running it again could do it twice; the job is marked
    so and a person decides. ``unknown-once-outside``: retried until the handler says it
    started acting outside (`JobContext.acting_outside`), unknown after that.
    """

    RETRY = "retry"
    UNKNOWN = "outcome-unknown"
    UNKNOWN_ONCE_OUTSIDE = "unknown-once-outside"


#: The progress key a handler sets when it starts acting outside (see `OnExpiry`).
OUTSIDE = "acting_outside"


@dataclass(frozen=True)
class Job:
    """One row of the queue, as read at one moment."""

    id: int
    kind: str
    payload: Mapping[str, Any]
    state: JobState
    run_at: datetime
    attempts: int
    max_attempts: int
    key: str | None
    lease_owner: str | None
    lease_until: datetime | None
    result: Mapping[str, Any] | None
    error: str | None
    progress: Mapping[str, Any]
    enqueued_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def acted_outside(self) -> bool:
        return bool(self.progress.get(OUTSIDE))


def expiry_state(job: Job, policy: OnExpiry) -> JobState:
    """The state a job whose lease ran out moves to: queued again (another try), failed (no
    tries left) or outcome unknown (its kind acts outside and may have done so)."""
    if policy is OnExpiry.UNKNOWN or (policy is OnExpiry.UNKNOWN_ONCE_OUTSIDE
                                      and job.acted_outside):
        return JobState.UNKNOWN
    return JobState.QUEUED if job.attempts < job.max_attempts else JobState.FAILED


def backoff_delay(attempt: int, base: timedelta, cap: timedelta = timedelta(hours=1)
                  ) -> timedelta:
    """How long to wait before try ``attempt + 1``: doubling from ``base``, at most ``cap``."""
    if attempt < 1:
        return timedelta(0)
    delay: timedelta = base * (2 ** min(attempt - 1, 20))
    return min(cap, delay)
