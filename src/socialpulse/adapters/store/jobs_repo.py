"""The job queue over the app database: enqueue, claim, heartbeat, finish, recover.

Claiming is one conditional UPDATE of the oldest due job (``state = 'queued' AND run_at <=
now``) that sets the lease and returns the row. On PostgreSQL the job is picked by a subquery
``FOR UPDATE SKIP LOCKED``, so concurrent workers take different jobs without waiting on each
other; SQLite (3.35+) runs the same statement under its single write lock, so two workers can
never both see the job still queued. Every later write (heartbeat, outcome) is a
compare-and-set on ``lease_owner``: a worker whose lease was taken over changes nothing.

All times are UTC and given by the caller (the service owns the clock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError

from socialpulse.domain.jobs import Job, JobState

from . import Store
from .jobs_tables import JobRow


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _opt(when: datetime | None) -> datetime | None:
    return _utc(when) if when is not None else None


def _job(r: JobRow) -> Job:
    return Job(id=r.id, kind=r.kind, payload=dict(r.payload or {}), state=JobState(r.state),
               run_at=_utc(r.run_at), attempts=r.attempts, max_attempts=r.max_attempts,
               key=r.idempotency_key, lease_owner=r.lease_owner,
               lease_until=_opt(r.lease_until), result=r.result, error=r.error,
               progress=dict(r.progress or {}), enqueued_by=r.enqueued_by,
               created_at=_utc(r.created_at), updated_at=_utc(r.updated_at))


class JobsRepo:
    """The `JobQueue` port on SQLite or PostgreSQL; every method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def enqueue(self, kind: str, payload: Mapping[str, Any], *, now: datetime,
                run_at: datetime, max_attempts: int, enqueued_by: str,
                key: str | None = None) -> tuple[Job, bool]:
        """Add a job; answers it and True, or (with a key already used) the existing job and
        False: enqueueing the same work twice is safe."""
        row = JobRow(kind=kind, payload=dict(payload), state=JobState.QUEUED.value,
                     run_at=_utc(run_at), attempts=0, max_attempts=max_attempts,
                     idempotency_key=key, progress={}, enqueued_by=enqueued_by,
                     created_at=_utc(now), updated_at=_utc(now))
        if key is not None:
            existing = self.by_key(key)
            if existing is not None:
                return existing, False
        try:
            with self.store.session() as s:
                s.add(row)
                s.flush()
                return _job(row), True
        except IntegrityError:  # another process enqueued the same key in between
            if key is not None and (existing := self.by_key(key)) is not None:
                return existing, False
            raise

    def get(self, job_id: int) -> Job | None:
        with self.store.session() as s:
            row = s.get(JobRow, job_id)
            return _job(row) if row is not None else None

    def by_key(self, key: str) -> Job | None:
        with self.store.session() as s:
            row = s.scalar(select(JobRow).where(JobRow.idempotency_key == key))
            return _job(row) if row is not None else None

    def claim(self, worker: str, *, now: datetime, lease_until: datetime,
              kinds: Sequence[str], ids: Sequence[int] | None = None) -> Job | None:
        """Take the oldest due job of these kinds (and ids, when given), or None."""
        due = [JobRow.state == JobState.QUEUED.value, JobRow.run_at <= _utc(now),
               JobRow.kind.in_(list(kinds))]
        if ids is not None:
            due.append(JobRow.id.in_(list(ids)))
        with self.store.session() as s:  # a read first: idle workers take no write lock
            if s.scalar(select(JobRow.id).where(*due).limit(1)) is None:
                return None
        pick = (select(JobRow.id).where(*due).order_by(JobRow.run_at, JobRow.id).limit(1)
                .with_for_update(skip_locked=True).scalar_subquery())
        with self.store.session() as s:
            claimed = s.scalar(
                update(JobRow)
                .where(JobRow.id == pick, JobRow.state == JobState.QUEUED.value)
                .values(state=JobState.RUNNING.value, lease_owner=worker,
                        lease_until=_utc(lease_until), attempts=JobRow.attempts + 1,
                        updated_at=_utc(now))
                .returning(JobRow.id))
        return self.get(claimed) if claimed is not None else None

    def _owned(self, job_id: int, worker: str) -> Any:
        return and_(JobRow.id == job_id, JobRow.state == JobState.RUNNING.value,
                    JobRow.lease_owner == worker)

    def heartbeat(self, job_id: int, worker: str, *, now: datetime, lease_until: datetime,
                  progress: Mapping[str, Any] | None = None) -> bool:
        """Extend a lease (and record progress); False when the job is no longer ours."""
        values: dict[str, Any] = {"lease_until": _utc(lease_until), "updated_at": _utc(now)}
        if progress is not None:
            values["progress"] = dict(progress)
        with self.store.session() as s:
            done = s.execute(update(JobRow).where(self._owned(job_id, worker)).values(**values))
            return bool(getattr(done, "rowcount", 0) == 1)

    def finish(self, job_id: int, worker: str, state: JobState, *, now: datetime,
               result: Mapping[str, Any] | None = None, error: str | None = None,
               run_at: datetime | None = None) -> bool:
        """Record an outcome (done, failed, or queued again at ``run_at``) if still ours."""
        values: dict[str, Any] = {"state": state.value, "lease_owner": None,
                                  "lease_until": None, "updated_at": _utc(now),
                                  "result": dict(result) if result is not None else None,
                                  "error": error}
        if run_at is not None:
            values["run_at"] = _utc(run_at)
        with self.store.session() as s:
            done = s.execute(update(JobRow).where(self._owned(job_id, worker)).values(**values))
            return bool(getattr(done, "rowcount", 0) == 1)

    def expired(self, now: datetime) -> list[Job]:
        """Running jobs whose lease ran out: their worker died or hung."""
        with self.store.session() as s:
            rows = s.scalars(select(JobRow).where(JobRow.state == JobState.RUNNING.value,
                                                  JobRow.lease_until < _utc(now))
                             .order_by(JobRow.id))
            return [_job(r) for r in rows]

    def settle_expired(self, job: Job, state: JobState, *, now: datetime, error: str,
                       run_at: datetime | None = None) -> bool:
        """Move a job whose lease ran out on; only if it is still that lapsed lease (one of
        several recovering workers wins)."""
        assert job.lease_owner is not None and job.lease_until is not None
        values: dict[str, Any] = {"state": state.value, "lease_owner": None,
                                  "lease_until": None, "error": error, "updated_at": _utc(now)}
        if run_at is not None:
            values["run_at"] = _utc(run_at)
        with self.store.session() as s:
            done = s.execute(update(JobRow).where(
                self._owned(job.id, job.lease_owner),
                JobRow.lease_until == _utc(job.lease_until),
                JobRow.lease_until < _utc(now)).values(**values))
            return bool(getattr(done, "rowcount", 0) == 1)

    def retry_now(self, job_id: int, *, now: datetime) -> bool:
        """Queue a waiting, failed or outcome-unknown job to run now with its tries counted
        afresh (a person or a re-run asked for it); False for running or done jobs."""
        with self.store.session() as s:
            done = s.execute(update(JobRow).where(
                JobRow.id == job_id,
                JobRow.state.in_((JobState.QUEUED.value, JobState.FAILED.value,
                                  JobState.UNKNOWN.value)))
                .values(state=JobState.QUEUED.value, run_at=_utc(now), attempts=0,
                        updated_at=_utc(now)))
            return bool(getattr(done, "rowcount", 0) == 1)

    def jobs(self, states: Sequence[JobState] | None = None, limit: int = 100) -> list[Job]:
        """The latest jobs (newest first), optionally of some states."""
        with self.store.session() as s:
            q = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
            if states is not None:
                q = q.where(JobRow.state.in_([st.value for st in states]))
            return [_job(r) for r in s.scalars(q)]
