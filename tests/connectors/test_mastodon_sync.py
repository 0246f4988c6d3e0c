"""Mastodon: connect with a token (or public data by handle), backfill, daily snapshots, errors.

Against `FakeMastodon` (answers as docs.joinmastodon.org documents), on a real data home: the
totals in the lake after a sync equal the fixture's own sums; known refusals come back in
words; a 429, a 5xx and a broken body are handled; repeated 401s pause the connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.connections import ConnectionKind, ConnectionState, Secret
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.jobs import JobState
from socialpulse.domain.models import Network
from socialpulse.services.connections import ConnectRequest

from .fakes import FakeClock, FakeMastodon, Fault
from .harness import Harness, harness

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
ME = Actor.local("tester")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeMastodon]:
    f = FakeMastodon(clock.now)
    for n in range(1, 101):  # 100 statuses over 100 days, three pages of 40
        f.post("1", 110_000_000_000_000_000 + n, START - timedelta(days=101 - n),
               likes=n, replies=n % 7, boosts=n % 5)
    yield f
    f.close()


@pytest.fixture
def h(empty_app: App, clock: FakeClock) -> Harness:
    empty_app.workspaces.create(ME, "acme", "Acme", "Europe/Madrid")
    return harness(empty_app, clock)


def _connect(h: Harness, fake: FakeMastodon, token: str = "good-token") -> int:
    ws = h.app.workspace("acme")
    conn, job = h.connections.connect(ME, ws, ConnectRequest(
        Network.MASTODON, ConnectionKind.OWN, server=fake.url, secret=Secret(token)))
    assert job.state is JobState.QUEUED
    return int(conn.id)


def _latest(app: App, dataset: str) -> list[dict[str, Any]]:
    ws = app.workspace("acme")
    rows: list[dict[str, Any]] = app.lake.read_latest(ws.id, dataset).to_pylist()
    return rows


def test_backfill_totals_equal_the_fixture_sums(h: Harness, fake: FakeMastodon) -> None:
    cid = _connect(h, fake)
    outcomes = h.runner().drain()
    assert [o.state for o in outcomes] == [JobState.DONE]
    posts = _latest(h.app, "posts")
    snaps = _latest(h.app, "post_snapshots")
    statuses = fake.statuses["1"]
    assert len(posts) == len(statuses) == 100
    assert sum(s["likes"] for s in snaps) == sum(s["favourites_count"] for s in statuses)
    assert sum(s["comments"] for s in snaps) == sum(s["replies_count"] for s in statuses)
    assert sum(s["shares"] for s in snaps) == sum(s["reblogs_count"] for s in statuses)
    assert {s["observed_at"] for s in snaps} == {START}
    daily = _latest(h.app, "account_daily")
    assert [d["followers"] for d in daily] == [fake.account["followers_count"]]
    accounts = h.app.store.accounts(h.app.workspace("acme").id)
    assert [a.handle for a in accounts] == ["Gargron@mastodon.social"]
    conn = h.connections.repo.get(cid)
    assert conn is not None and conn.synced_posts == 100 and conn.last_error is None
    assert conn.cursor == "110000000000000100".zfill(24)
    assert conn.quota.remaining == fake.limit - len(fake.requests)
    assert conn.next_sync_at == datetime(2026, 11, 2, 3, tzinfo=UTC)


def test_credentials_are_stored_encrypted_and_never_shown(h: Harness,
                                                          fake: FakeMastodon) -> None:
    cid = _connect(h, fake)
    stored = h.connections.repo.secret(cid)
    assert stored and "good-token" not in stored
    conn = h.connections.repo.get(cid)
    assert conn is not None and conn.has_secret and len(conn.secret_fingerprint) == 8
    assert "good-token" not in repr(conn) and "good-token" not in json.dumps(
        conn.__dict__, default=str)
    assert h.connections.cipher.decrypt(stored, "x").reveal() == "good-token"


@pytest.mark.parametrize(("setup", "words"), [
    ("bad-token", "the access token is wrong, expired or revoked"),
    ("no-scope", "lacks the read scope"),
])
def test_connect_refuses_with_the_reason_and_stores_nothing(
        h: Harness, fake: FakeMastodon, setup: str, words: str) -> None:
    if setup == "no-scope":
        fake.scoped = False
    with pytest.raises(InvalidInput, match=words):
        _connect(h, fake, "wrong" if setup == "bad-token" else "good-token")
    ws = h.app.workspace("acme")
    assert h.connections.list(ws) == [] and h.app.store.accounts(ws.id) == []
    assert h.jobs.recent() == []


def test_public_account_by_handle_is_a_competitor(h: Harness, fake: FakeMastodon) -> None:
    fake.add_public("rival@other.example", "77", followers=4321)
    fake.post("77", 120_000_000_000_000_001, START - timedelta(days=1), 5, 1, 2)
    ws = h.app.workspace("acme")
    with pytest.raises(InvalidInput, match="no account 'nobody@x.y' is known"):
        h.connections.connect(ME, ws, ConnectRequest(
            Network.MASTODON, ConnectionKind.PUBLIC, handle="nobody@x.y", server=fake.url))
    conn, _ = h.connections.connect(ME, ws, ConnectRequest(
        Network.MASTODON, ConnectionKind.PUBLIC, handle="rival@other.example",
        server=fake.url, brand="Rival Co"))
    assert not conn.has_secret and conn.kind.words == "public data"
    h.runner().drain()
    acc = next(a for a in h.app.store.accounts(ws.id) if a.handle == "rival@other.example")
    assert acc.brand_name == "Rival Co" and acc.is_own is False
    assert [d["followers"] for d in _latest(h.app, "account_daily")] == [4321]


def test_daily_sync_is_incremental_and_snapshots_the_recent_posts(
        h: Harness, fake: FakeMastodon, clock: FakeClock) -> None:
    _connect(h, fake)
    h.runner().drain()
    first = len(fake.requests)
    clock.advance(timedelta(hours=1, minutes=1))  # 03:01: the daily sync is due
    fake.post("1", 110_000_000_000_000_200, clock.now(), 50, 0, 0)
    fake.statuses["1"][1]["favourites_count"] += 1000  # a recent post gained likes
    outcomes = h.runner().drain()
    assert [o.state for o in outcomes] == [JobState.DONE]
    # the newest pages only: known posts older than the refresh window end the sync
    assert len(fake.requests) - first < first
    posts = _latest(h.app, "posts")
    assert len(posts) == 101
    snaps = _latest(h.app, "post_snapshots")
    newest = {s["post_id"]: s for s in sorted(snaps, key=lambda s: s["observed_at"])}
    assert newest["110000000000000100"]["likes"] == 1100
    observed = sorted({s["observed_at"] for s in h.app.lake.read(
        h.app.workspace("acme").id, "post_snapshots").to_pylist()})
    assert observed == [START, START + timedelta(hours=1, minutes=1)]


def test_429_5xx_and_a_broken_body(h: Harness, fake: FakeMastodon, clock: FakeClock) -> None:
    _connect(h, fake)
    fake.faults += [
        Fault("/api/v1/accounts/1/statuses", 429, b'{"error":"Too many requests"}',
              {"Retry-After": "17"}),
        Fault("/api/v1/accounts/1/statuses", 503, b"<html>busy</html>"),
        Fault("/api/v1/accounts/1/statuses", 502, b""),
    ]
    slept = clock.slept
    outcomes = h.runner().drain()
    assert [o.state for o in outcomes] == [JobState.DONE]
    assert clock.slept - slept >= 17  # Retry-After honoured, then two jittered retries
    assert len(_latest(h.app, "posts")) == 100
    clock.advance(timedelta(hours=2))
    fake.faults.append(Fault("/api/v1/accounts/1/statuses", 200, b"not json"))
    outcome = h.runner().drain()[0]
    assert outcome.state is JobState.QUEUED and "the answer is not JSON" in outcome.message
    conn = h.connections.list(h.app.workspace("acme"))[0]
    assert conn.last_error is not None and "not JSON" in conn.last_error
    assert len(_latest(h.app, "posts")) == 100  # nothing half-written


def test_repeated_401_pauses_the_connection_with_a_notice(
        h: Harness, fake: FakeMastodon, clock: FakeClock) -> None:
    cid = _connect(h, fake)
    h.runner().drain()
    fake.token = "rotated"  # the stored token was revoked
    clock.advance(timedelta(hours=1, minutes=1))
    for _ in range(3):
        h.runner().drain()
        clock.advance(timedelta(hours=1))
    conn = h.connections.repo.get(cid)
    assert conn is not None and conn.state is ConnectionState.PAUSED
    assert conn.auth_failures == 3 and conn.last_error is not None
    assert conn.last_error.startswith("paused after 3 refused sign-ins")
    clock.advance(timedelta(days=1))
    assert all(o.state is JobState.DONE and o.message.startswith("skipped")
               for o in h.runner().drain())
