"""A synced post and the same post imported from an export are one post; latest snapshot wins.

The fakes serve the repository's real samples (tests/data/samples/mastodon: the Status example
of Mastodon's docs; tests/data/samples/bluesky: getAuthorFeed answers of atproto's tests), then
the same files are imported with `socialpulse import`'s service, before or after the sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.models import Network
from socialpulse.services.connections import ConnectRequest
from socialpulse.services.imports import ImportOptions

from .fakes import SAMPLES, FakeBluesky, FakeClock, FakeMastodon, bluesky_feed_items
from .harness import Harness, harness

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
ME = Actor.local("tester")
MASTODON_FILE = SAMPLES / "mastodon" / "status_example_from_docs.json"
BLUESKY_FILE = SAMPLES / "bluesky" / "atproto_author-feed_self.json"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def h(empty_app: App, clock: FakeClock) -> Harness:
    empty_app.workspaces.create(ME, "acme", "Acme", "UTC")
    return harness(empty_app, clock)


@pytest.fixture
def mastodon(clock: FakeClock) -> Iterator[FakeMastodon]:
    f = FakeMastodon(clock.now)
    s = f.post("1", 103270115826048975, datetime(2019, 12, 8, 3, 48, 33, tzinfo=UTC),
               likes=5, replies=1, boosts=0)  # the docs' status, fewer likes than the file
    s["quotes_count"] = 0
    yield f
    f.close()


def _rows(app: App, dataset: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = app.lake.read_latest(app.workspace("acme").id,
                                                       dataset).to_pylist()
    return rows


def _import(app: App, path: Any, observed: datetime) -> None:
    app.imports.run(ME, app.workspace("acme"), [(path, path.name)],
                    ImportOptions(observed_at=observed))


@pytest.mark.parametrize("export_first", [False, True])
def test_mastodon_sync_and_export_are_one_post(h: Harness, mastodon: FakeMastodon,
                                               export_first: bool) -> None:
    ws = h.app.workspace("acme")
    later = START + timedelta(days=1)
    if export_first:
        _import(h.app, MASTODON_FILE, START - timedelta(days=1))
    h.connections.connect(ME, ws, ConnectRequest(Network.MASTODON, ConnectionKind.OWN,
                                                 server=mastodon.url, secret=Secret("good-token")))
    h.runner().drain()
    if not export_first:
        _import(h.app, MASTODON_FILE, later)
    posts, snaps = _rows(h.app, "posts"), _rows(h.app, "post_snapshots")
    assert [(p["post_id"], p["account_id"]) for p in posts] == [
        ("103270115826048975", h.app.store.accounts(ws.id)[0].id)]
    assert len(h.app.store.accounts(ws.id)) == 1  # Gargron@mastodon.social, once
    # two observations of one post; the latest wins: the export's 11 likes when it came
    # after the sync, the sync's 5 when the export was older
    assert len(snaps) == 2
    assert max(snaps, key=lambda s: s["observed_at"])["likes"] == (5 if export_first else 11)


def test_bluesky_sync_and_export_are_one_post(h: Harness, clock: FakeClock) -> None:
    fake = FakeBluesky(clock.now)
    try:
        fake.add_account("alice.test", "user(0)", followers=3, items=bluesky_feed_items())
        ws = h.app.workspace("acme")
        h.connections.connect(ME, ws, ConnectRequest(
            Network.BLUESKY, ConnectionKind.PUBLIC, handle="alice.test", server=fake.url))
        h.runner().drain()
        synced = sorted(p["post_id"] for p in _rows(h.app, "posts"))
        _import(h.app, BLUESKY_FILE, START + timedelta(hours=1))
        after = sorted(p["post_id"] for p in _rows(h.app, "posts"))
        assert synced == after and len(after) == 4
        assert len(h.app.store.accounts(ws.id)) == 1
        every = h.app.lake.read(ws.id, "post_snapshots").to_pylist()
        assert sorted({str(r["observed_at"]) for r in every}) == [
            str(START), str(START + timedelta(hours=1))]
    finally:
        fake.close()
