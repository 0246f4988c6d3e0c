"""The app database on SQLite (WAL, concurrent writers) and on a real PostgreSQL server."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from socialpulse.adapters.store import Store
from socialpulse.adapters.store.tables import Base
from socialpulse.bootstrap import local_actor, open_home
from socialpulse.domain.errors import Conflict, NotFound
from socialpulse.domain.models import Function, Network
from socialpulse.settings import Settings
from tests.conftest import DEMO_UNTIL


def _assert_migrations_match_tables(store: Store) -> None:
    """The migrated schema is the one the ORM tables describe (both use store/columns.py)."""
    for mod in ("access_tables", "goals_tables", "identity_tables", "jobs_tables",
                "listening_tables", "maturity_tables", "reports_tables"):
        importlib.import_module(f"socialpulse.adapters.store.{mod}")
    importlib.import_module("socialpulse.adapters.store.connections_tables")  # issue 15
    importlib.import_module("socialpulse.adapters.store.alert_rules_tables")  # issue 15/16
    importlib.import_module("socialpulse.adapters.store.publishing_tables")  # issue 17
    importlib.import_module("socialpulse.adapters.store.inbox_tables")  # issue 18
    importlib.import_module("socialpulse.adapters.store.change_log_tables")  # issue 14
    importlib.import_module("socialpulse.adapters.store.oidc_tables")  # issue 14
    with store.engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), Base.metadata) == []


def _exercise(store: Store) -> None:
    store.migrate()
    store.migrate()  # idempotent
    _assert_migrations_match_tables(store)
    ws = store.create_workspace("acme", "Acme", "Europe/Madrid", ["en", "es"])
    with pytest.raises(Conflict, match="already exists"):
        store.create_workspace("acme", "Again")
    brand = store.ensure_brand(ws.id, "Acme", True)
    assert store.ensure_brand(ws.id, "Acme", True).id == brand.id
    acc = store.ensure_account(
        ws.id, Network.LINKEDIN, "acme", function=Function.HR, brand_id=brand.id
    )
    assert store.ensure_account(ws.id, Network.LINKEDIN, " acme ").id == acc.id
    assert store.accounts(ws.id)[0].function is Function.HR
    assert store.workspace("acme").languages == ("en", "es")
    with pytest.raises(NotFound, match="workspace 'nope' not found .*acme"):
        store.workspace("nope")
    b = store.begin_batch(ws.id, "f.csv", "x-tweets", "h1")
    assert store.find_batch(ws.id, "h1").status == "pending"
    store.commit_batch(b.id, ["posts/a.parquet"], {"posts": 3})
    assert store.find_batch(ws.id, "h1").files == ["posts/a.parquet"]
    store.delete_workspace(ws.id)
    assert store.accounts(ws.id) == [] and store.batches(ws.id, None) == []


def test_store_on_sqlite(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    _exercise(store)
    with store.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    store.dispose()


@pytest.mark.postgres
def test_store_on_postgresql(pg_url: str) -> None:
    store = Store(pg_url)
    _exercise(store)
    store.dispose()


@pytest.mark.postgres
def test_demo_metrics_identical_with_postgresql_app_state(
    pg_url: str, tmp_path: Path, demo_app_ro
) -> None:
    app = open_home(Settings(home=tmp_path / "pg-home", database_url=pg_url), create=True)
    assert app.store.engine.dialect.name == "postgresql"
    app.demo.build(local_actor(), DEMO_UNTIL)
    reqs = [("engagement_rate", None), ("followers", None), ("audience_growth_rate", None)]
    ours = app.metrics.compute(app.workspace("demo"), reqs)
    ref = demo_app_ro.metrics.compute(demo_app_ro.workspace("demo"), reqs)
    assert ours.rows == ref.rows
    from socialpulse.services.workspaces import WorkspaceService

    WorkspaceService(app.store, app.lake).delete(local_actor(), app.workspace("demo"))
    app.store.dispose()


def test_two_writer_processes_on_sqlite(tmp_path: Path) -> None:
    """WAL + busy_timeout: concurrent writers wait instead of failing with 'database is locked'."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store(url)
    store.migrate()
    ws = store.create_workspace("w", "W")
    store.dispose()
    script = textwrap.dedent(f"""
        import sys
        from socialpulse.adapters.store import Store
        s = Store({url!r})
        for i in range(150):
            b = s.begin_batch({ws.id}, f"{{sys.argv[1]}}-{{i}}", "t", f"{{sys.argv[1]}}-{{i}}")
            s.commit_batch(b.id, [], {{"posts": i}})
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, name]) for name in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = Store(url)
    assert len(store.batches(ws.id)) == 300
    store.dispose()
