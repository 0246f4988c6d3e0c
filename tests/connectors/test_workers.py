"""Syncs under real workers: SIGKILL mid-sync loses and duplicates nothing; two workers never
sync one account at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.jobs import JobState
from socialpulse.domain.models import Network
from socialpulse.services.connections import ConnectRequest

from .fakes import FakeClock, FakeMastodon
from .harness import harness

ME = Actor.local("tester")
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _fill(fake: FakeMastodon, start: datetime, n: int = 100) -> None:
    for i in range(1, n + 1):
        fake.post("1", 110_000_000_000_000_000 + i, start - timedelta(days=n + 1 - i),
                  likes=i, replies=1, boosts=0)


def _rows(app: App, dataset: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = app.lake.read_latest(app.workspace("acme").id,
                                                       dataset).to_pylist()
    return rows


def _worker(home: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, SOCIALPULSE_HOME=str(home), SOCIALPULSE_JOB_LEASE_S="1")
    return subprocess.Popen([sys.executable, "-m", "socialpulse.interfaces.cli", "worker",
                             "--poll", "0.2", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_sigkill_mid_sync_then_restart(empty_app: App) -> None:
    fake = FakeMastodon(lambda: datetime.now(UTC))
    try:
        _fill(fake, datetime.now(UTC))
        fake.hold, fake.hold_path = threading.Event(), "max_id="  # stop on the second page
        empty_app.workspaces.create(ME, "acme", "Acme", "UTC")
        ws = empty_app.workspace("acme")
        _, job = empty_app.connections.connect(ME, ws, ConnectRequest(
            Network.MASTODON, ConnectionKind.OWN, server=fake.url, secret=Secret("good-token")))
        proc = _worker(empty_app.settings.home)
        assert fake.held.wait(60), "the worker never reached the second page"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert empty_app.jobs.get(job.id).state is JobState.RUNNING  # left mid-sync
        assert _rows(empty_app, "posts") == []
        fake.hold_path = ""
        fake.hold.set()
        time.sleep(1.5)  # the dead worker's one-second lease runs out
        again = _worker(empty_app.settings.home, "--once")
        out, _ = again.communicate(timeout=120)
        assert again.returncode == 0, out
        assert empty_app.jobs.get(job.id).state is JobState.DONE
        posts, snaps = _rows(empty_app, "posts"), _rows(empty_app, "post_snapshots")
        assert len(posts) == len({p["post_id"] for p in posts}) == 100
        assert len(snaps) == 100  # one observation: the retry observed "at the same time"
        assert sum(s["likes"] for s in snaps) == sum(range(1, 101))
    finally:
        fake.close()


def test_two_workers_never_sync_one_account_at_once(empty_app: App) -> None:
    clock = FakeClock(START)
    fake = FakeMastodon(clock.now)
    try:
        _fill(fake, START)
        empty_app.workspaces.create(ME, "acme", "Acme", "UTC")
        h = harness(empty_app, clock)
        ws = empty_app.workspace("acme")
        conn, first = h.connections.connect(ME, ws, ConnectRequest(
            Network.MASTODON, ConnectionKind.OWN, server=fake.url, secret=Secret("good-token")))
        second = h.connections.sync_now(ME, ws, str(conn.id))
        fake.hold, fake.hold_path = threading.Event(), "max_id="
        a = h.runner("worker-a")
        done: list[Any] = []
        t = threading.Thread(target=lambda: done.append(a.run_one(ids=[first.id])))
        t.start()
        assert fake.held.wait(30)
        b = h.runner("worker-b").run_one(ids=[second.id])
        assert b is not None and b.state is JobState.QUEUED
        assert "another worker is syncing it" in b.message
        fake.hold_path = ""
        fake.hold.set()
        t.join(60)
        assert done and done[0].state is JobState.DONE
        clock.advance(timedelta(minutes=6))  # the second job's backoff
        assert h.runner("worker-b").run_one(ids=[second.id]).state is JobState.DONE
        assert len(_rows(empty_app, "posts")) == 100
    finally:
        fake.close()
