"""The durable job queue on SQLite and on a real PostgreSQL: concurrent workers (threads and
processes) run every job exactly once, an idempotency key enqueues once, and a worker killed
with SIGKILL mid-job leaves a lease that runs out, after which the job is completed once (a
retried kind) or marked outcome unknown (a kind acting outside), said in words."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from socialpulse.bootstrap import App, open_home
from socialpulse.domain.actor import Action, Actor
from socialpulse.domain.jobs import JobState
from socialpulse.interfaces.cli.main import main
from socialpulse.services.jobs import utc_now
from socialpulse.settings import Settings
from tests.jobs.kinds import register, runs

ROOT = Path(__file__).resolve().parents[2]
ME = Actor.local("tester")
DEADLINE_S = 120


@dataclass
class Home:
    app: App
    env: dict[str, str]
    touch: str
    outside: str
    suffix: str
    runs_dir: Path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def home(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Home]:
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    app = open_home(Settings(home=tmp_path / "home", database_url=url), create=True)
    suffix = uuid.uuid4().hex[:8]  # kinds of its own: the PostgreSQL database is shared
    touch, outside = register(suffix)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
           "SOCIALPULSE_HOME": str(app.settings.home)}
    env.pop("SOCIALPULSE_JOB_LEASE_S", None)
    if url:
        env["SOCIALPULSE_DATABASE_URL"] = url
    runs_dir = tmp_path / "runs"
    runs_dir.mkdir()
    yield Home(app, env, touch, outside, suffix, runs_dir)
    app.store.dispose()


def _enqueue(h: Home, kind: str, n: int, **extra: object) -> list[int]:
    return [h.app.jobs.enqueue(ME, kind, {"dir": str(h.runs_dir), "n": i, **extra}).id
            for i in range(n)]


def _worker(h: Home, *args: str) -> subprocess.Popen[str]:
    """The real `socialpulse worker` in its own process, with the test kinds registered."""
    return subprocess.Popen([sys.executable, "-m", "tests.jobs.kinds", h.suffix, "worker",
                             *args], env=h.env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(what: str, ok: object) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not ok() if callable(ok) else not ok:
        assert time.monotonic() < deadline, f"waited {DEADLINE_S} s for {what}"
        time.sleep(0.05)


def test_threads_run_every_job_exactly_once(home: Home) -> None:
    ids = _enqueue(home, home.touch, 40)
    runners = [home.app.jobs.runner(home.app, f"thread-{i}") for i in range(4)]
    done: list[list[int]] = [[] for _ in runners]
    go = threading.Barrier(len(runners))

    def work(i: int) -> None:
        go.wait()
        done[i] = [o.job.id for o in runners[i].drain(kinds=[home.touch])]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(runners))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j for d in done for j in d) == ids  # each claimed by one thread only
    assert runs(home.runs_dir) == {i: 1 for i in ids}
    assert runs(home.runs_dir, "start") == {i: 1 for i in ids}
    jobs = [home.app.jobs.get(i) for i in ids]
    assert {(j.state, j.attempts, j.lease_owner) for j in jobs} == {(JobState.DONE, 1, None)}
    assert [j.result for j in jobs] == [{"n": i} for i in range(40)]


def test_processes_run_every_job_exactly_once(home: Home) -> None:
    ids = _enqueue(home, home.touch, 30)
    workers = [_worker(home, "--once") for _ in range(3)]
    outputs = [w.communicate(timeout=DEADLINE_S) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], outputs
    assert runs(home.runs_dir) == {i: 1 for i in ids}
    assert runs(home.runs_dir, "start") == {i: 1 for i in ids}
    lines = [line for out, _ in outputs for line in out.splitlines() if line.startswith("job ")]
    assert len(lines) == 30  # one line per job, among the three workers
    assert all(re.fullmatch(r"job \d+ \(test job, number (\d+)\): done: touched number \1",
                            line) for line in lines), lines
    assert "test.touch" not in "".join(lines)  # kinds are named in words
    assert {home.app.jobs.get(i).state for i in ids} == {JobState.DONE}


def test_an_idempotency_key_enqueues_once(home: Home) -> None:
    payload = {"dir": str(home.runs_dir), "n": 1}
    key = f"once-{home.suffix}"
    found: list[int] = []

    def add() -> None:
        found.append(home.app.jobs.enqueue(ME, home.touch, payload, key=key).id)

    threads = [threading.Thread(target=add) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1
    runner = home.app.jobs.runner(home.app, "w")
    assert [o.job.id for o in runner.drain(kinds=[home.touch])] == found[:1]
    again = home.app.jobs.enqueue(ME, home.touch, payload, key=key)  # re-running is safe
    assert again.id == found[0] and again.state is JobState.DONE
    assert runner.drain(kinds=[home.touch]) == [] and runs(home.runs_dir) == {found[0]: 1}
    assert home.app.jobs.get(found[0]).enqueued_by == ME.id


def _kill_mid_job(home: Home, kind: str) -> int:
    """Start a worker, let it take a held job, kill it with SIGKILL; answers the job id."""
    [job_id] = _enqueue(home, kind, 1, hold_first=True)
    worker = _worker(home, "--lease", "1", "--poll", "0.1")
    try:
        _wait_for("the worker to start the job",
                  lambda: (home.runs_dir / f"holding-{job_id}").exists())
        assert home.app.jobs.get(job_id).state is JobState.RUNNING
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=DEADLINE_S)
    assert worker.returncode == -signal.SIGKILL
    job = home.app.jobs.get(job_id)
    assert job.state is JobState.RUNNING and job.lease_until is not None  # as the kill left it
    _wait_for("the lease to run out",
              lambda: home.app.jobs.get(job_id).lease_until < utc_now())  # type: ignore[operator]
    return job_id


def test_a_killed_workers_job_is_completed_once_after_its_lease(
        home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = _kill_mid_job(home, home.touch)
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home.app.settings.home))
    if home.app.settings.database_url:
        monkeypatch.setenv("SOCIALPULSE_DATABASE_URL", home.app.settings.database_url)
    assert main(["worker", "--once"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"job {job_id} (test job, number 0): waiting: the worker running it stopped before it "
        "finished (try 1 of 3)",
        f"job {job_id} (test job, number 0): done: touched number 0"]
    assert runs(home.runs_dir, "start") == {job_id: 2}  # the killed try and the one after
    assert runs(home.runs_dir) == {job_id: 1}  # completed once
    job = home.app.jobs.get(job_id)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert main(["worker", "--once"]) == 0 and capsys.readouterr().out == "no jobs due\n"


def test_a_killed_workers_outside_job_is_marked_outcome_unknown(
        home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    job_id = _kill_mid_job(home, home.outside)
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home.app.settings.home))
    if home.app.settings.database_url:
        monkeypatch.setenv("SOCIALPULSE_DATABASE_URL", home.app.settings.database_url)
    assert main(["worker", "--once"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"job {job_id} (test job acting outside, number 0): outcome unknown: the "
                   "worker running it stopped before it finished, after it may have acted "
                   "outside; check whether it took effect before trying it again"]
    assert runs(home.runs_dir, "start") == {job_id: 1} and runs(home.runs_dir) == {}
    assert home.app.jobs.get(job_id).state is JobState.UNKNOWN
    assert main(["worker", "--once"]) == 0  # never run again on its own
    assert runs(home.runs_dir, "start") == {job_id: 1}
    # a person checked: queue it again, and it runs (its tries counted afresh)
    assert main(["worker", "--retry", str(job_id)]) == 0
    assert main(["worker", "--once"]) == 0
    out = capsys.readouterr().out
    assert f"job {job_id} (test job acting outside) queued again" in out
    assert f"job {job_id} (test job acting outside, number 0): done" in out
    assert runs(home.runs_dir) == {job_id: 1}
    assert main(["worker", "--retry", str(job_id)]) == 1  # done: nothing to retry


def test_a_handlers_error_is_retried_with_backoff_then_fails(home: Home) -> None:
    """An unexpected error is tried again after the backoff (not at once), then fails with
    one line; the clock is injected, so no test waits for the backoff."""
    from socialpulse.domain.jobs import OnExpiry
    from socialpulse.services.jobs import JobKind, register_kind

    calls: list[int] = []

    def broken(ctx: object) -> None:
        calls.append(1)
        raise OSError("disk on fire")

    name = f"test.broken.{home.suffix}"
    register_kind(JobKind(name, "broken job", broken, Action.JOBS_RUN, max_attempts=2,
                          backoff=timedelta(minutes=5), on_expiry=OnExpiry.RETRY))
    now = [utc_now()]
    service = type(home.app.jobs)(home.app.jobs.queue, home.app.jobs.kinds, lambda: now[0])
    job = service.enqueue(ME, name, {})
    runner = service.runner(home.app, "w")
    [first] = runner.drain(kinds=[name])
    assert first.retry_at is not None and "disk on fire" in first.line()
    assert "will try again after" in first.line()
    assert runner.drain(kinds=[name]) == []  # not before the backoff
    now[0] += timedelta(minutes=6)
    [second] = runner.drain(kinds=[name])
    assert second.state is JobState.FAILED and len(calls) == 2
    assert service.get(job.id).error == "internal error (OSError: disk on fire); see the log"


def test_a_running_worker_takes_new_jobs_and_stops_on_sigterm(home: Home) -> None:
    worker = _worker(home, "--poll", "0.1")
    try:
        ids = _enqueue(home, home.touch, 3)
        _wait_for("the worker to run the jobs",
                  lambda: all(home.app.jobs.get(i).state is JobState.DONE for i in ids))
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=DEADLINE_S)
    assert worker.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("socialpulse worker worker@") and "waiting for jobs" in lines[0]
    assert lines[1:] == [f"job {i} (test job, number {n}): done: touched number {n}"
                         for n, i in enumerate(ids)] + ["socialpulse worker stopped"]
    assert runs(home.runs_dir) == {i: 1 for i in ids}
