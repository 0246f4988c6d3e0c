"""Bluesky: an own account by app password, a public one by handle; sessions and their refresh.

Against `FakeBluesky` (XRPC shaped as the lexicons say), on a real data home: paging by
``cursor``, totals equal the fixture's sums, reposts of others left out, the access token
refreshed before it expires and after an ``ExpiredToken``, clear refusals.
"""

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

from .fakes import FakeBluesky, FakeClock, Fault, bluesky_post
from .harness import Harness, harness

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
ME = Actor.local("tester")
HANDLE, DID = "acme.bsky.social", "did:plc:acme0000000000000000000"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeBluesky]:
    f = FakeBluesky(clock.now)
    items = [bluesky_post(HANDLE, DID, n, START - timedelta(hours=6 * n), likes=3 * n,
                          replies=n % 4, reposts=n % 3) for n in range(1, 251)]
    repost = bluesky_post("other.bsky.social", "did:plc:other", 999, START, 7, 7, 7)
    repost["reason"] = {"$type": "app.bsky.feed.defs#reasonRepost",
                        "by": {"did": DID, "handle": HANDLE}, "indexedAt": "2026-11-01T00:00:00Z"}
    f.add_account(HANDLE, DID, followers=812, items=[repost, *items])
    yield f
    f.close()


@pytest.fixture
def h(empty_app: App, clock: FakeClock) -> Harness:
    empty_app.workspaces.create(ME, "acme", "Acme", "UTC")
    return harness(empty_app, clock)


def _latest(app: App, dataset: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = app.lake.read_latest(app.workspace("acme").id,
                                                       dataset).to_pylist()
    return rows


def _connect(h: Harness, fake: FakeBluesky, password: str = "abcd-efgh-ijkl-mnop") -> int:
    conn, _ = h.connections.connect(ME, h.app.workspace("acme"), ConnectRequest(
        Network.BLUESKY, ConnectionKind.OWN, handle=HANDLE, server=fake.url,
        secret=Secret(password)))
    return int(conn.id)


def test_backfill_pages_by_cursor_and_totals_match(h: Harness, fake: FakeBluesky) -> None:
    _connect(h, fake)
    assert [o.state for o in h.runner().drain()] == [JobState.DONE]
    feed = [i["post"] for i in fake.feeds[DID] if "reason" not in i]
    posts, snaps = _latest(h.app, "posts"), _latest(h.app, "post_snapshots")
    assert len(posts) == len(feed) == 250  # the repost of another account is left out
    assert sum(s["likes"] for s in snaps) == sum(p["likeCount"] for p in feed)
    assert sum(s["comments"] for s in snaps) == sum(p["replyCount"] for p in feed)
    assert sum(s["shares"] for s in snaps) == sum(p["repostCount"] + p["quoteCount"]
                                                  for p in feed)
    assert {p["url"] for p in posts} >= {f"https://bsky.app/profile/{HANDLE}/post/3k00000000001"}
    assert [d["followers"] for d in _latest(h.app, "account_daily")] == [812]
    assert fake.requests.count("/xrpc/app.bsky.feed.getAuthorFeed") == 3  # 100 + 100 + 51


def test_wrong_app_password_and_unknown_handle_are_refused(h: Harness,
                                                           fake: FakeBluesky) -> None:
    with pytest.raises(InvalidInput, match="handle or app password is wrong"):
        _connect(h, fake, "wrong-pass-word-xxxx")
    with pytest.raises(InvalidInput, match="no Bluesky account 'nobody.bsky.social'"):
        h.connections.connect(ME, h.app.workspace("acme"), ConnectRequest(
            Network.BLUESKY, ConnectionKind.PUBLIC, handle="nobody.bsky.social",
            server=fake.url))
    assert h.connections.list(h.app.workspace("acme")) == []


def test_token_refreshed_before_expiry_and_after_expired_token(
        h: Harness, fake: FakeBluesky, clock: FakeClock) -> None:
    _connect(h, fake)
    h.runner().drain()
    signed_in = fake.sessions
    clock.advance(timedelta(hours=1, minutes=57))  # 3 minutes left on a 2-hour token
    conn = h.connections.list(h.app.workspace("acme"))[0]
    connector = h.connections.sync._open(conn)
    try:
        connector.check()  # a new session (each sync signs in), then a refresh before use
        clock.advance(timedelta(hours=1, minutes=58))
        connector.fetch_posts(None)
        assert fake.refreshes == 1
        fake.expire_tokens()  # the server says ExpiredToken: refreshed once and retried
        assert len(connector.fetch_posts(None).posts) == 99  # the first page holds the repost
        assert fake.refreshes == 2 and fake.sessions == signed_in + 1
    finally:
        connector.close()


def test_public_account_is_read_without_signing_in(h: Harness, fake: FakeBluesky) -> None:
    conn, _ = h.connections.connect(ME, h.app.workspace("acme"), ConnectRequest(
        Network.BLUESKY, ConnectionKind.PUBLIC, handle=HANDLE, server=fake.url))
    h.runner().drain()
    assert fake.sessions == 0 and len(_latest(h.app, "posts")) == 250
    ws = h.app.workspace("acme")
    acc = h.app.store.accounts(ws.id)[0]
    assert conn.kind is ConnectionKind.PUBLIC and acc.is_own is False


def test_rate_limit_headers_make_it_wait_before_the_limit(
        h: Harness, fake: FakeBluesky, clock: FakeClock) -> None:
    fake.limit = 4  # four calls per five minutes: the backfill must wait for resets
    _connect(h, fake)
    assert [o.state for o in h.runner().drain()] == [JobState.DONE]
    assert fake.over_limit == 0 and fake.max_in_window <= fake.limit
    assert clock.slept >= 300  # it waited for at least one window
    assert len(_latest(h.app, "posts")) == 250


def test_5xx_429_and_a_malformed_feed(h: Harness, fake: FakeBluesky, clock: FakeClock) -> None:
    _connect(h, fake)
    feed = "/xrpc/app.bsky.feed.getAuthorFeed"
    fake.faults += [Fault(feed, 502, b"Bad Gateway"),
                    Fault(feed, 429, b'{"error":"RateLimitExceeded","message":"Rate Limit '
                          b'Exceeded"}', {"Retry-After": "Mon, 02 Nov 2026 02:00:30 GMT"})]
    assert [o.state for o in h.runner().drain()] == [JobState.DONE]
    assert clock.slept >= 30 and len(_latest(h.app, "posts")) == 250
    clock.advance(timedelta(hours=2))
    fake.faults.append(Fault(feed, 200, b'{"feed": "not a list"}'))
    outcome = h.runner().drain()[0]
    assert outcome.state is JobState.QUEUED
    assert outcome.message == "Bluesky 127.0.0.1 posts: malformed answer: expected a feed array"
