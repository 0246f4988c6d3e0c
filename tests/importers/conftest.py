"""Fixtures for importer tests: a fresh home with one workspace, and the sample folders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialpulse.bootstrap import App, open_home
from socialpulse.domain.actor import Actor
from socialpulse.domain.models import Workspace
from socialpulse.services.imports import ImportOptions, ImportResult
from socialpulse.settings import Settings

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[App]:
    app = open_home(Settings(home=tmp_path / "home"), create=True)
    app.store.create_workspace("acme", "Acme", "Europe/Madrid")
    yield app
    app.store.dispose()


@pytest.fixture
def ws(home: App) -> Workspace:
    return home.store.workspace("acme")


def sample_files(folder: str, pattern: str = "*") -> list[tuple[Path, str]]:
    return [(p, p.name) for p in sorted((SAMPLES / folder).glob(pattern))
            if p.is_file() and p.suffix != ".md"]


def do_import(app: App, ws: Workspace, files: list[tuple[Path, str]],
              options: ImportOptions | None = None) -> ImportResult:
    plan = app.imports.plan(ws, files, options, now=NOW)
    return app.imports.commit(Actor.local("tester"), plan, "test")


def metric(app: App, ws: Workspace, metric_id: str, network: str | None = None,
           variant: str | None = None) -> float | None:
    """A metric over all time through the real engine (percent metrics come x100)."""
    t = app.metrics.compute(ws, [(metric_id, variant)], networks=[network] if network else [],
                            allow_empty=True)
    rows = t.records()
    return rows[0].get(metric_id) if rows else None


# browser fixtures come from tests/conftest.py (tests/webfixtures.py)
from tests.webfixtures import serve_app  # noqa: E402,F401
