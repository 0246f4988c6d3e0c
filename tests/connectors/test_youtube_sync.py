"""YouTube: a channel's public data with an API key (sent as a header, never in the URL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.jobs import JobState
from socialpulse.domain.models import Network
from socialpulse.services.connections import ConnectRequest

from .fakes import FakeClock, FakeYouTube, youtube_video
from .harness import Harness, harness

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
ME = Actor.local("tester")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeYouTube]:
    f = FakeYouTube(clock.now)
    f.add_channel("@rivaloutdoor", 52_000, [
        youtube_video(n, START - timedelta(days=n), 1000 * n, None if n % 10 == 0 else 10 * n,
                      n % 6) for n in range(1, 121)])
    yield f
    f.close()


@pytest.fixture
def h(empty_app: App, clock: FakeClock) -> Harness:
    empty_app.workspaces.create(ME, "acme", "Acme", "UTC")
    return harness(empty_app, clock)


def _connect(h: Harness, fake: FakeYouTube, key: str = "AIza-test-key",
             handle: str = "@rivaloutdoor") -> Any:
    return h.connections.connect(ME, h.app.workspace("acme"), ConnectRequest(
        Network.YOUTUBE, ConnectionKind.PUBLIC, handle=handle, server=fake.url,
        secret=Secret(key), brand="Rival Outdoor"))


def test_public_channel_totals_equal_the_fixture(h: Harness, fake: FakeYouTube) -> None:
    conn, _ = _connect(h, fake)
    assert conn.handle == "rivaloutdoor" and conn.has_secret
    assert [o.state for o in h.runner().drain()] == [JobState.DONE]
    ws = h.app.workspace("acme")
    posts = h.app.lake.read_latest(ws.id, "posts").to_pylist()
    snaps = h.app.lake.read_latest(ws.id, "post_snapshots").to_pylist()
    vids = [v for vs in fake.videos.values() for v in vs]
    assert len(posts) == len(vids) == 120
    assert sum(s["video_views"] for s in snaps) == sum(int(v["statistics"]["viewCount"])
                                                       for v in vids)
    assert sum(s["likes"] or 0 for s in snaps) == sum(
        int(v["statistics"].get("likeCount", 0)) for v in vids)
    assert sum(1 for s in snaps if s["likes"] is None) == 12  # hidden likes stay unknown
    assert {p["url"] for p in posts} >= {"https://www.youtube.com/watch?v=vid00000001"}
    daily = h.app.lake.read_latest(ws.id, "account_daily").to_pylist()
    assert [d["followers"] for d in daily] == [52_000]
    acc = h.app.store.accounts(ws.id)[0]
    assert acc.brand_name == "Rival Outdoor" and acc.is_own is False
    assert all("key=" not in r for r in fake.requests)


def test_refusals_in_words(h: Harness, fake: FakeYouTube) -> None:
    with pytest.raises(InvalidInput, match="API key not valid.*the API key is wrong"):
        _connect(h, fake, key="wrong")
    with pytest.raises(InvalidInput, match="no channel '@nobody'"):
        _connect(h, fake, handle="nobody")
    with pytest.raises(InvalidInput, match="needs its API key"):
        h.connections.connect(ME, h.app.workspace("acme"), ConnectRequest(
            Network.YOUTUBE, ConnectionKind.PUBLIC, handle="@rivaloutdoor", server=fake.url))
    with pytest.raises(InvalidInput, match="need Google sign-in, which is not supported yet"):
        h.connections.connect(ME, h.app.workspace("acme"), ConnectRequest(
            Network.YOUTUBE, ConnectionKind.OWN, handle="@x", secret=Secret("k")))
    assert h.connections.list(h.app.workspace("acme")) == []


def test_spent_quota_waits_for_tomorrow(h: Harness, fake: FakeYouTube,
                                        clock: FakeClock) -> None:
    _connect(h, fake)
    h.runner().drain()
    fake.quota_spent = True
    clock.advance(timedelta(hours=1, minutes=1))
    outcome = h.runner().drain()[0]
    assert outcome.state is JobState.QUEUED
    assert "daily quota is spent; the sync is tried again tomorrow" in outcome.message
    assert "exceeded your quota." in outcome.message and "<a" not in outcome.message
