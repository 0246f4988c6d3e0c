"""Background jobs: the registry of job kinds (as data), enqueueing, and the runner.

Every background task (web imports, scheduled reports, later publishing and connectors) is a
row of the one durable queue in the app database (`ports.JobQueue`), run by whichever worker
claims it: `socialpulse worker` in its own process, or the runner `socialpulse serve` starts
in a thread so one machine needs no second process. The database row is the source of truth,
so a crash loses nothing: a worker that dies leaves a lease that runs out, and the next worker
retries the job or marks its outcome unknown, as its kind says (`domain.jobs.OnExpiry`).

A kind is data (`JobKind`): its handler, how many tries, the backoff between them, what a
lost lease means, and the action an enqueuer must be allowed. Handlers receive a `JobContext`
holding the App's services (never adapters), the payload and a progress callback.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, NotFound, SocialPulseError
from socialpulse.domain.jobs import OUTSIDE, Job, JobState, OnExpiry, backoff_delay, expiry_state
from socialpulse.services.ports import JobQueue

log = logging.getLogger("socialpulse.jobs")

Clock = Callable[[], datetime]
#: What a handler returns: a small JSON-able result shown to the user, or None.
Handler = Callable[["JobContext"], Mapping[str, Any] | None]


def utc_now() -> datetime:
    return datetime.now(UTC)


def job_lease(env: Mapping[str, str]) -> timedelta:
    """How long a worker holds a job between heartbeats: ``$SOCIALPULSE_JOB_LEASE_S`` seconds
    (default 60). Shorter means a dead worker's job is taken over sooner."""
    text = (env.get("SOCIALPULSE_JOB_LEASE_S") or "60").strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.5 <= seconds <= 86400:
        raise InvalidInput(f"SOCIALPULSE_JOB_LEASE_S: {text!r} is not a number of seconds "
                           "from 0.5 to 86400")
    return timedelta(seconds=seconds)


def worker_name(role: str) -> str:
    """A worker id unique across machines and processes: role, host, process, a token."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class JobKind:
    """One kind of background job, as data.

    ``label`` names it for people ("import preview"); ``describe`` turns a payload into a few
    words ("schedule 1, 2026-10") and ``summary`` a result into one line ("wrote x.pdf").
    ``retry_errors``: whether a handler's user-facing error (an SMTP server down) is tried
    again after the backoff, or final at once (a bad file stays bad)."""

    name: str
    label: str
    handler: Handler
    action: Action
    max_attempts: int = 3
    backoff: timedelta = timedelta(seconds=30)
    on_expiry: OnExpiry = OnExpiry.RETRY
    retry_errors: bool = False
    describe: Callable[[Mapping[str, Any]], str] = lambda payload: ""
    summary: Callable[[Mapping[str, Any]], str] = lambda result: ""


#: Every registered kind by name: modules defining kinds register them at import.
KINDS: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> JobKind:
    """Add a kind to the registry (re-registering the same name replaces it)."""
    KINDS[kind.name] = kind
    return kind


@dataclass
class JobContext:
    """What a handler gets: the App's services, its job and a way to report progress."""

    services: Any
    job: Job
    _report: Callable[[dict[str, Any]], None]
    _progress: dict[str, Any] = field(default_factory=dict)

    @property
    def payload(self) -> Mapping[str, Any]:
        return self.job.payload

    def progress(self, stage: str, done: int, total: int) -> None:
        """Where the work is (shown on pages that follow the job)."""
        self._progress.update(stage=stage, done=done, total=max(total, 1))
        self._report(dict(self._progress))

    def acting_outside(self) -> None:
        """Say the job is about to act outside (send an e-mail): from now on a lost lease
        means "outcome unknown" for kinds with `OnExpiry.UNKNOWN_ONCE_OUTSIDE`. Recorded in
        the database before returning, so it survives a kill right after."""
        self._progress[OUTSIDE] = True
        self._report(dict(self._progress))


@dataclass(frozen=True)
class Outcome:
    """What became of one job in this run, for the one line a worker prints."""

    job: Job
    state: JobState
    message: str
    retry_at: datetime | None = None

    def line(self, kinds: Mapping[str, JobKind] = KINDS) -> str:
        kind = kinds.get(self.job.kind)
        what = kind.label if kind else "job"
        about = kind.describe(self.job.payload) if kind else ""
        head = f"job {self.job.id} ({what}{', ' + about if about else ''}): "
        if self.state is JobState.QUEUED and self.retry_at is not None:
            return (head + f"failed, will try again after {self.retry_at:%Y-%m-%d %H:%M:%S} "
                    f"UTC: {self.message}")
        return head + self.state.words + (f": {self.message}" if self.message else "")


class JobService:
    """Enqueue jobs and follow them (the writes take the acting `Actor`)."""

    def __init__(self, queue: JobQueue, kinds: Mapping[str, JobKind] = KINDS,
                 clock: Clock = utc_now, lease: timedelta = timedelta(seconds=60)) -> None:
        self.queue = queue
        self.kinds = kinds
        self.clock = clock
        self.lease = lease

    def kind(self, name: str) -> JobKind:
        if name not in self.kinds:
            raise InvalidInput(f"job kind {name!r} is not registered "
                               f"(known: {', '.join(sorted(self.kinds)) or 'none'})")
        return self.kinds[name]

    def enqueue(self, actor: Actor, kind: str, payload: Mapping[str, Any], *,
                key: str | None = None, run_at: datetime | None = None,
                workspace: str | None = None) -> Job:
        """Queue a job (or, with a key already used, answer the job queued with it)."""
        k = self.kind(kind)
        authorize(actor, k.action, workspace)
        now = self.clock()
        job, _ = self.queue.enqueue(kind, payload, now=now, run_at=run_at or now,
                                    max_attempts=k.max_attempts, enqueued_by=actor.id, key=key)
        return job

    def get(self, job_id: int) -> Job:
        job = self.queue.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found")
        return job

    def by_key(self, key: str) -> Job | None:
        return self.queue.by_key(key)

    def retry_now(self, actor: Actor, job_id: int) -> bool:
        """Run a waiting or failed job again now, its tries counted afresh."""
        job = self.get(job_id)
        authorize(actor, self.kind(job.kind).action)
        return self.queue.retry_now(job_id, now=self.clock())

    def recent(self, states: Sequence[JobState] | None = None, limit: int = 100) -> list[Job]:
        return self.queue.jobs(states, limit)

    def runner(self, services: Any, worker_id: str, lease: timedelta | None = None
               ) -> JobRunner:
        """A runner claiming this queue's jobs as ``worker_id`` (as a system actor), holding
        each for ``lease`` (default: the service's) between heartbeats."""
        return JobRunner(self.queue, services, worker_id, kinds=self.kinds, clock=self.clock,
                         lease=lease or self.lease)


class JobRunner:
    """Claims due jobs, runs them with a heartbeat that extends the lease, records outcomes.

    Clock and worker id are injected (tests run several runners in one process). Jobs whose
    lease ran out are settled first (`recover`), by whichever runner gets there first."""

    def __init__(self, queue: JobQueue, services: Any, worker_id: str, *,
                 kinds: Mapping[str, JobKind] = KINDS, clock: Clock = utc_now,
                 lease: timedelta = timedelta(seconds=60)) -> None:
        authorize(Actor.system("worker"), Action.JOBS_RUN)
        self.queue = queue
        self.services = services
        self.worker_id = worker_id
        self.kinds = kinds
        self.clock = clock
        self.lease = lease
        self._wake = threading.Event()

    # -- recovering what dead workers left -------------------------------------------------

    def recover(self) -> list[Outcome]:
        """Settle the jobs whose lease ran out: queued again, failed or outcome unknown."""
        out = []
        for job in self.queue.expired(self.clock()):
            kind = self.kinds.get(job.kind)
            policy = kind.on_expiry if kind else OnExpiry.UNKNOWN
            state = expiry_state(job, policy)
            if state is JobState.UNKNOWN:
                msg = ("the worker running it stopped before it finished, after it may have "
                       "acted outside; check whether it took effect before trying it again")
            else:
                msg = (f"the worker running it stopped before it finished (try {job.attempts} "
                       f"of {job.max_attempts})")
            if self.queue.settle_expired(job, state, now=self.clock(), error=msg):
                log.warning("job %s: %s -> %s", job.id, msg, state.value)
                out.append(Outcome(job, state, msg))
        return out

    # -- running ---------------------------------------------------------------------------

    def run_one(self, ids: Sequence[int] | None = None,
                kinds: Sequence[str] | None = None) -> Outcome | None:
        """Claim one due job (of these ids/kinds, when given) and run it; None when none."""
        now = self.clock()
        job = self.queue.claim(self.worker_id, now=now, lease_until=now + self.lease,
                               kinds=list(kinds if kinds is not None else self.kinds), ids=ids)
        if job is None:
            return None
        return self._run(job)

    def drain(self, ids: Sequence[int] | None = None,
              kinds: Sequence[str] | None = None) -> list[Outcome]:
        """Recover lapsed leases, then run every job that is due now, one after another."""
        outcomes = self.recover()
        while (outcome := self.run_one(ids, kinds)) is not None:
            outcomes.append(outcome)
        return outcomes

    def wake(self) -> None:
        """Make a waiting `run_forever` look for jobs now (a job was just enqueued)."""
        self._wake.set()

    def run_forever(self, stop: threading.Event, poll_s: float = 2.0,
                    report: Callable[[Outcome], None] = lambda o: None) -> None:
        """Run due jobs one by one, then wait ``poll_s`` (or a `wake`), until ``stop`` is
        set; a stop lets the running job finish and takes no other."""
        while not stop.is_set():
            try:
                for recovered in self.recover():
                    report(recovered)
                while not stop.is_set() and (outcome := self.run_one()) is not None:
                    report(outcome)
            except Exception:  # the database was away a moment: log, wait, go on
                log.exception("job runner %s: could not poll the queue", self.worker_id)
            self._wake.wait(poll_s)
            self._wake.clear()

    def _run(self, job: Job) -> Outcome:
        kind = self.kinds[job.kind]
        beat = _Heartbeat(self, job)
        ctx = JobContext(self.services, job, beat.record)
        beat.start()
        try:
            result = dict(kind.handler(ctx) or {})
        except SocialPulseError as exc:
            return self._failed(job, kind, exc.message, retry=kind.retry_errors)
        except Exception as exc:  # a bug or the system: one line here, the traceback logged
            log.error("job %s (%s) failed", job.id, job.kind, exc_info=exc)
            return self._failed(job, kind, f"internal error ({type(exc).__name__}: "
                                f"{str(exc)[:200]}); see the log", retry=True)
        finally:
            beat.stop()
        if not self.queue.finish(job.id, self.worker_id, JobState.DONE, now=self.clock(),
                                 result=result):
            return self._lost(job)
        return Outcome(job, JobState.DONE, kind.summary(result))

    def _failed(self, job: Job, kind: JobKind, message: str, retry: bool) -> Outcome:
        now = self.clock()
        if retry and job.attempts < job.max_attempts:
            at = now + backoff_delay(job.attempts, kind.backoff)
            ok = self.queue.finish(job.id, self.worker_id, JobState.QUEUED, now=now,
                                   error=message, run_at=at)
            return Outcome(job, JobState.QUEUED, message, retry_at=at) if ok else self._lost(job)
        if not self.queue.finish(job.id, self.worker_id, JobState.FAILED, now=now,
                                 error=message):
            return self._lost(job)
        return Outcome(job, JobState.FAILED, message)

    def _lost(self, job: Job) -> Outcome:
        current = self.queue.get(job.id) or job
        msg = "this worker's lease ran out while it ran; another worker took the job over"
        log.warning("job %s: %s", job.id, msg)
        return Outcome(current, current.state, msg)


class _Heartbeat:
    """Extends a running job's lease every third of it, and writes its progress (at most
    about twice a second) so pages can follow it."""

    def __init__(self, runner: JobRunner, job: Job) -> None:
        self.runner = runner
        self.job = job
        self.progress: dict[str, Any] = dict(job.progress)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._written = 0.0
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name=f"job-{job.id}-heartbeat")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def record(self, progress: dict[str, Any]) -> None:
        """Keep the latest progress; write it now when it says the job acts outside, or
        when the last write is half a second old."""
        with self._lock:
            self.progress = progress
            urgent = bool(progress.get(OUTSIDE)) and not self.job.progress.get(OUTSIDE)
            if not urgent and time.monotonic() - self._written < 0.5:
                return
            self._written = time.monotonic()
        self._beat()
        if urgent:
            self.job = replace(self.job, progress=dict(progress))

    def _beat(self) -> bool:
        now = self.runner.clock()
        return self.runner.queue.heartbeat(self.job.id, self.runner.worker_id, now=now,
                                           lease_until=now + self.runner.lease,
                                           progress=self.progress)

    def _loop(self) -> None:
        interval = max(self.runner.lease.total_seconds() / 3, 0.05)
        while not self._stop.wait(interval):
            try:
                if not self._beat():
                    log.warning("job %s: lease lost to another worker", self.job.id)
                    return
            except Exception:  # the database was away a moment: try at the next beat
                log.exception("job %s: heartbeat failed", self.job.id)


class BackgroundRunner:
    """A `JobRunner` in a daemon thread of this process: what `socialpulse serve` starts so
    one machine needs no second process. `start` and `stop` follow the web app's lifespan;
    `wake` (after an enqueue) starts it too when no lifespan ran (an embedded server)."""

    def __init__(self, runner: JobRunner, poll_s: float = 2.0) -> None:
        self.runner = runner
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self.runner.run_forever, args=(self._stop, self.poll_s, _log_outcome),
                daemon=True, name=f"jobs-{self.runner.worker_id}")
            self._thread.start()

    def wake(self) -> None:
        """Look for jobs now (starting the thread if it is not running)."""
        self.start()
        self.runner.wake()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop taking jobs; a job still running after ``timeout_s`` is left to its lease."""
        self._stop.set()
        self.runner.wake()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout_s)


def _log_outcome(outcome: Outcome) -> None:
    log.info("%s", outcome.line())
