"""A day and a bit on a simulated clock: the backfill, then the worker's daily snapshots, with
no call over the fake's rate limit (time injected, never slept)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.jobs import JobState
from socialpulse.domain.models import Network
from socialpulse.services.connections import ConnectRequest
from socialpulse.services.sync import SYNC

from .fakes import FakeClock, FakeMastodon
from .harness import harness

ME = Actor.local("tester")
START = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)


def _rows(app: App, dataset: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = app.lake.read(app.workspace("acme").id, dataset).to_pylist()
    return rows


def test_a_simulated_day_of_syncs(empty_app: App) -> None:
    clock = FakeClock(START)
    fake = FakeMastodon(clock.now)
    fake.limit = 8  # eight calls per five minutes: a 400-post backfill needs 12
    try:
        for i in range(1, 401):
            fake.post("1", 110_000_000_000_000_000 + i, START - timedelta(hours=6 * (401 - i)),
                      likes=i, replies=0, boosts=0)
        empty_app.workspaces.create(ME, "acme", "Acme", "UTC")
        h = harness(empty_app, clock)
        h.connections.connect(ME, empty_app.workspace("acme"), ConnectRequest(
            Network.MASTODON, ConnectionKind.OWN, server=fake.url, secret=Secret("good-token")))
        runner = h.runner()
        ran: list[tuple[datetime, JobState]] = []
        next_id = 110_000_000_000_000_401
        end = START + timedelta(hours=26)
        while clock.now() < end:
            ran += [(clock.now(), o.state) for o in runner.drain()]
            if clock.now().minute < 10:  # a new post every hour, and the followers grow
                fake.post("1", next_id, clock.now(), likes=1, replies=0, boosts=0)
                fake.account["followers_count"] += 3
                next_id += 1
            clock.advance(timedelta(minutes=10))
        assert fake.over_limit == 0 and fake.max_in_window <= fake.limit
        assert [s for _, s in ran] == [JobState.DONE] * 3  # backfill, 2 Nov, 3 Nov
        syncs = [j for j in h.jobs.recent() if j.kind == SYNC]
        assert [j.state for j in syncs if (j.key or "").endswith(":2026-11-04")] == [
            JobState.QUEUED]  # the next day's, queued by the last one
        observed = sorted({r["observed_at"] for r in _rows(empty_app, "post_snapshots")})
        assert [o.date().isoformat() for o in observed] == ["2026-11-02"] * 2 + ["2026-11-03"]
        assert all(o.hour in (1, 3) for o in observed)
        daily = sorted((r["date"].isoformat(), r["followers"])
                       for r in empty_app.lake.read_latest(empty_app.workspace("acme").id,
                                                           "account_daily").to_pylist())
        assert [d for d, _ in daily] == ["2026-11-02", "2026-11-03"]
        assert daily[0][1] < daily[1][1]
        posts = empty_app.lake.read_latest(empty_app.workspace("acme").id, "posts")
        synced_before_last = {p["post_id"] for p in posts.to_pylist()}
        assert len(synced_before_last) == len({s["id"] for s in fake.statuses["1"]}) - sum(
            1 for s in fake.statuses["1"]
            if datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")) >= observed[-1])
    finally:
        fake.close()
