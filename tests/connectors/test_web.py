"""The Connections API and page: connect (test call first), list without credentials, queue,
pause, resume, remove; bad input is a 4xx naming what is wrong; the page in Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import browser_client, serve_app

from .fakes import FakeMastodon


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    f = FakeMastodon(lambda: datetime.now(UTC))
    now = datetime.now(UTC)
    for i in range(1, 31):
        f.post("1", 110_000_000_000_000_000 + i, now - timedelta(days=31 - i), i, 1, 0)
    yield f
    f.close()


@pytest.fixture
def app(empty_app: App) -> App:
    empty_app.workspaces.create(Actor.local("tester"), "acme", "Acme", "UTC")
    return empty_app


def _wait_synced(c: TestClient, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        [row] = c.get("/api/workspaces/acme/connections").json()["connections"]
        if row["posts"] or time.monotonic() > deadline:
            return dict(row)
        time.sleep(0.2)


def test_api_connect_sync_pause_remove(app: App, fake: FakeMastodon) -> None:
    with browser_client(create_app(app.settings), raise_server_exceptions=False) as c:
        r = c.post("/api/workspaces/acme/connections",
                   json={"network": "mastodon", "server": fake.url, "secret": "good-token"})
        assert r.status_code == 201, r.text
        assert "good-token" not in r.text
        assert r.json()["connection"]["credentials"].startswith("set (")
        row = _wait_synced(c)  # the server's own runner ran the backfill
        assert row["posts"] == 30 and row["last_sync"] != "never" and row["error"] == ""
        bad = c.post("/api/workspaces/acme/connections",
                     json={"network": "mastodon", "server": fake.url, "secret": "nope"})
        assert bad.status_code == 400
        assert "the access token is wrong, expired or revoked" in bad.json()["error"]["message"]
        for body, words in [({"network": "myspace"}, "network: unknown value 'myspace'"),
                            ({"network": "mastodon", "secret": 3}, "secret must be a string"),
                            ({"network": "bluesky", "kind": "public"}, "--handle"),
                            ({"network": "mastodon", "token": "x"}, "unknown field 'token'")]:
            r = c.post("/api/workspaces/acme/connections", json=body)
            assert r.status_code == 400 and words in r.json()["error"]["message"], r.text
        assert c.post("/api/workspaces/acme/connections/1/pause").json()["state"] == "paused"
        r = c.post("/api/workspaces/acme/connections/1/sync")
        assert r.status_code == 400 and "is paused" in r.json()["error"]["message"]
        r = c.post("/api/workspaces/acme/connections/1/resume")
        assert r.status_code == 200 and r.json()["connection"]["state"] == "active"
        assert c.post("/api/workspaces/acme/connections/99/sync").status_code == 400
        assert c.delete("/api/workspaces/acme/connections/1").status_code == 200
        assert c.get("/api/workspaces/acme/connections").json()["connections"] == []


@pytest.mark.browser
def test_connections_page_in_a_browser(app: App, fake: FakeMastodon, page: Any) -> None:
    with serve_app(create_app(app.settings)) as server:
        page.goto(f"{server.url}/connections?workspace=acme")
        assert page.locator("[data-no-connections]").count() == 1
        form = page.locator("[data-connect-form]")
        form.locator("select[name=network]").select_option("mastodon")
        form.locator("input[name=server]").fill(fake.url)
        form.locator("input[name=secret]").fill("good-token")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("[data-saved]")
        assert "Connected Mastodon Gargron@mastodon.social" in page.inner_text("[data-saved]")
        row = page.locator("[data-connection='1']")
        assert row.locator("[data-state]").inner_text() == "active"
        assert "good-token" not in page.content()
        row.locator("[data-action=pause]").click()
        page.wait_for_selector("[data-saved]")
        assert page.locator("[data-connection='1'] [data-state]").inner_text() == "paused"
        form = page.locator("[data-connect-form]")
        form.locator("input[name=server]").fill(fake.url)
        form.locator("input[name=secret]").fill("wrong")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("[data-connections-error]")
        assert "access token is wrong" in page.inner_text("[data-connections-error]")
