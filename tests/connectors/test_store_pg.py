"""The connections table and its sync lease on SQLite and on a real PostgreSQL, with a sync."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from socialpulse.adapters.store import Store
from socialpulse.bootstrap import App, open_home
from socialpulse.domain.actor import Actor
from socialpulse.domain.connections import ConnectionKind, Quota, Secret
from socialpulse.domain.errors import Conflict
from socialpulse.domain.jobs import JobState
from socialpulse.domain.models import Network
from socialpulse.services.connections import ConnectRequest
from socialpulse.settings import Settings

from .fakes import FakeClock, FakeMastodon
from .harness import harness

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
ME = Actor.local("tester")


def _fresh_pg(pg_url: str) -> str:
    """A new, empty database on the test server (the shared one holds other tests' rows)."""
    name = f"connections_{secrets.token_hex(6)}"
    server, _, _ = pg_url.rpartition("/")
    admin = Store(f"{server}/postgres")
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    url = _fresh_pg(request.getfixturevalue("pg_url")) if request.param == "postgresql" \
        else None
    a = open_home(Settings(home=tmp_path / "home", database_url=url), create=True)
    a.workspaces.create(ME, "acme", "Acme", "UTC")
    yield a
    a.store.dispose()


def test_sync_and_the_lease_on_both_databases(app: App) -> None:
    clock = FakeClock(START)
    fake = FakeMastodon(clock.now)
    try:
        for i in range(1, 46):
            fake.post("1", 110_000_000_000_000_000 + i, START - timedelta(days=46 - i), i, 0, 0)
        h = harness(app, clock)
        ws = app.workspace("acme")
        conn, _ = h.connections.connect(ME, ws, ConnectRequest(
            Network.MASTODON, ConnectionKind.OWN, server=fake.url, secret=Secret("good-token")))
        with pytest.raises(Conflict, match="already connected"):
            h.connections.repo.add(ws.id, conn.account_id, Network.MASTODON,
                                   ConnectionKind.OWN, conn.handle, fake.url, None, "",
                                   now=START)
        repo = h.connections.repo
        assert repo.claim_sync(conn.id, "a", now=START, until=START + timedelta(minutes=5)) \
            == START
        assert repo.claim_sync(conn.id, "b", now=START, until=START + timedelta(minutes=5)) \
            is None
        later = START + timedelta(minutes=6)  # a's lease ran out: b takes it, same observation
        assert repo.claim_sync(conn.id, "b", now=later, until=later) == START
        assert not repo.finish_sync(conn.id, "a", now=later, ok=True, quota=Quota(),
                                    error=None, next_sync_at=None)
        assert repo.finish_sync(conn.id, "b", now=later, ok=False, quota=Quota(),
                                error="x", next_sync_at=None)
        assert [o.state for o in h.runner().drain()] == [JobState.DONE]
        assert len(app.lake.read_latest(ws.id, "posts")) == 45
        stored = repo.get(conn.id)
        assert stored is not None and stored.synced_posts == 45 and stored.last_error is None
    finally:
        fake.close()
