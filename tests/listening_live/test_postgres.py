"""Live listening's tables on PostgreSQL: the migration matches the ORM, a firing is stored
once per rule and bucket even when two evaluations race, cursors and rules round-trip."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from socialpulse.adapters.store.alert_rules_tables import LiveListeningRepo
from socialpulse.adapters.store.tables import Base
from socialpulse.bootstrap import open_home
from socialpulse.domain.listening.rules import RuleSpec
from socialpulse.settings import Settings

from .conftest import ME

MINE = {"listening_sources", "alert_rules", "alert_events"}


@pytest.mark.postgres
def test_live_tables_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    app = open_home(Settings(home=tmp_path / "h", database_url=pg_url), create=True)
    with app.store.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    mine = [d for d in diff if any(t in repr(d) for t in MINE)]
    assert mine == []
    slug = "live-" + uuid.uuid4().hex[:8]
    ws = app.workspaces.create(ME, slug, "Live")
    app.listening.add_brand(ME, ws, "Acme", own=True, query="acme")
    repo = LiveListeningRepo(app.store)
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    src = repo.add_source(ws.id, "mastodon", "tag", "acme", "https://m.example", 60, now)
    repo.save_cursor(src.id, "1234", 5, now)
    repo.save_cursor(src.id, None, 2, now, "busy")
    got = repo.source(src.id)
    assert got is not None and (got.cursor, got.mentions, got.last_error) == ("1234", 7, "busy")
    view = app.alert_rules.add_rule(ME, ws, "Acme", RuleSpec(
        "volume", 3, quiet_start=time(22), quiet_end=time(6, 30), emails=("a@b.example",)))
    assert view.as_dict()["quiet_hours"] == "22:00-06:30"
    results: list[object] = []

    def fire() -> None:
        results.append(repo.record_firing(view.rule.id, "1700000000", "spike", {"k": 1}, now))

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert len(repo.events(ws.id)) == 1
    assert repo.rules(ws.id)[0].last_fired_at == now
    app.store.dispose()
