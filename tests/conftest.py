"""Shared fixtures: real data homes (SQLite + Parquet) with the demo workspace loaded."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from socialpulse.bootstrap import App, local_actor, open_home
from socialpulse.settings import Settings

DEMO_UNTIL = date(2026, 10, 31)
SAMPLES = Path(__file__).parent / "data" / "samples"

# Property tests: the same examples on every CI run (a CI failure is then reproducible and
# never a roll of the dice); HYPOTHESIS_PROFILE=thorough explores many more, locally.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def demo_home_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo home built once per session; tests copy it (see `demo_app`)."""
    home = tmp_path_factory.mktemp("demo-template")
    app = open_home(Settings(home=home), create=True)
    app.demo.build(local_actor(), DEMO_UNTIL)
    app.store.dispose()
    return home


@pytest.fixture(scope="session")
def demo_app_ro(demo_home_template: Path) -> Iterator[App]:
    """A read-only view of the shared demo home (do not write through it)."""
    app = open_home(Settings(home=demo_home_template))
    yield app
    app.store.dispose()


@pytest.fixture
def demo_app(demo_home_template: Path, tmp_path: Path) -> Iterator[App]:
    """A private, writable copy of the demo home."""
    home = tmp_path / "home"
    shutil.copytree(demo_home_template, home)
    app = open_home(Settings(home=home))
    yield app
    app.store.dispose()


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[App]:
    app = open_home(Settings(home=tmp_path / "empty"), create=True)
    yield app
    app.store.dispose()


# the PostgreSQL server, and server and browser fixtures for page tests, defined once
from tests.pgserver import pg_url  # noqa: E402,F401
from tests.webfixtures import (  # noqa: E402,F401
    _page_and_log,
    browser,
    client,
    demo_settings,
    live_server,
    page,
    page_log,
    web_app,
)
