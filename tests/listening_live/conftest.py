"""A data home with one workspace listening for Acme (own) and Globex, and the local fakes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socialpulse.bootstrap import App, open_home
from socialpulse.domain.actor import Actor
from socialpulse.domain.models import Workspace
from socialpulse.settings import Settings

from .fakes import FakeBluesky, FakeMastodon, WebhookSink

ME = Actor.local("tester")


def open_live(home: Path) -> App:
    """The App of a home, as a restarted process would open it."""
    return open_home(Settings(home=home))


@pytest.fixture
def live_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    app = open_home(Settings(home=home), create=True)
    ws = app.workspaces.create(ME, "acme", "Acme", "UTC", ["en"])
    app.listening.add_brand(ME, ws, "Acme", own=True, query="acme OR #acme")
    app.listening.add_brand(ME, ws, "Globex", query="globex")
    app.store.dispose()
    return home


@pytest.fixture
def live(live_home: Path) -> Iterator[tuple[App, Workspace]]:
    app = open_live(live_home)
    yield app, app.workspace("acme")
    app.store.dispose()


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    fake = FakeMastodon()
    yield fake
    fake.close()


@pytest.fixture
def bluesky() -> Iterator[FakeBluesky]:
    fake = FakeBluesky()
    yield fake
    fake.close()


@pytest.fixture
def webhook() -> Iterator[WebhookSink]:
    sink = WebhookSink()
    yield sink
    sink.close()
