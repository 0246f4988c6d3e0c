"""Goal fixtures: one writable demo home per module (creating goals is the slow part)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from socialpulse.bootstrap import App, open_home
from socialpulse.settings import Settings

TODAY = date(2026, 10, 31)  # the demo data ends here


@pytest.fixture(scope="module")
def goals_app(demo_home_template: Path, tmp_path_factory: pytest.TempPathFactory,
              ) -> Iterator[App]:
    """A private demo home shared by the tests of one module (they may add goals)."""
    home = tmp_path_factory.mktemp("goals") / "home"
    shutil.copytree(demo_home_template, home)
    app = open_home(Settings(home=home))
    yield app
    app.store.dispose()


# browser and server fixtures come from tests/conftest.py (tests/webfixtures.py)
from tests.webfixtures import LiveServer, PageLog, serve_app  # noqa: E402,F401
