"""The inbox's API and page on a real home: filters and pages, assign, status, claim, notes,
tags, one-line 4xx errors; and a real Chromium filtering, assigning and closing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.inbox import Message, MessageKind
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import browser_client, serve_app

ME = Actor.local("tester")
NOW = datetime.now(UTC).replace(microsecond=0)
API = "/api/workspaces/acme/inbox"


@pytest.fixture
def seeded(empty_app: App) -> App:
    empty_app.workspaces.create(ME, "acme", "Acme", "UTC")
    empty_app.inbox.receive(ME, empty_app.workspace("acme"), [
        Message("mastodon" if i % 2 else "bluesky", "acme", f"m{i}", MessageKind.MENTION,
                f"person{i}", f"question {i}", NOW - timedelta(hours=5 - i), None, 5, "en",
                "negative" if i == 1 else "neutral") for i in range(4)])
    return empty_app


@pytest.fixture
def api(seeded: App) -> Iterator[TestClient]:
    with browser_client(create_app(seeded.settings), raise_server_exceptions=False) as c:
        yield c


def _ids(api: TestClient, **params: Any) -> list[int]:
    r = api.get(API, params=params)
    assert r.status_code == 200, r.text
    return [row["id"] for row in r.json()["rows"]]


def test_api_lists_filters_and_acts(api: TestClient) -> None:
    ids = _ids(api)
    assert len(ids) == 4
    first = api.get(API, params={"limit": 3}).json()
    rest = api.get(API, params={"limit": 3, "after": first["next"]}).json()
    assert [r["id"] for r in first["rows"] + rest["rows"]] == ids and rest["next"] is None
    assert len(_ids(api, network="mastodon")) == 2
    assert len(_ids(api, sentiment="negative")) == 1
    r = api.post(f"{API}/assign", json={"ids": ids[:2], "to": "ana"})
    assert r.json() == {"assigned": [{"id": ids[0], "assignee": "ana"},
                                     {"id": ids[1], "assignee": "ana"}]}
    assert _ids(api, assignee="ana") == ids[:2]
    r = api.post(f"{API}/assign", json={"ids": ids[2:], "round_robin": ["ana", "ben"]})
    assert [a["assignee"] for a in r.json()["assigned"]] == ["ana", "ben"]
    r = api.post(f"{API}/status", json={"ids": [ids[0]], "status": "closed"})
    assert r.json() == {"changed": [{"id": ids[0], "status": "closed"}]}
    assert _ids(api, status="closed") == [ids[0]]
    assert api.post(f"{API}/{ids[1]}/note", json={"text": "vip"}).json()["text"] == "vip"
    assert api.post(f"{API}/{ids[1]}/tag", json={"tag": "VIP"}).json()["tags"] == ["vip"]
    assert _ids(api, tag="vip") == [ids[1]]
    assert api.post(f"{API}/{ids[1]}/claim").json()["claimed_by"]
    assert api.post(f"{API}/{ids[2]}/answered-elsewhere").status_code == 200
    assert ids[2] not in _ids(api, unanswered="1")
    thread = api.get(f"{API}/{ids[1]}").json()
    assert (thread["tags"], thread["notes"][0]["text"]) == (["vip"], "vip")
    assert thread["priority"]["reasons"] == []
    [negative] = _ids(api, sentiment="negative")
    assert api.get(f"{API}/{negative}").json()["priority"]["reasons"] == [
        {"factor": "sentiment", "detail": "negative", "points": 30}]


@pytest.mark.parametrize("method, path, body, status, message", [
    ("get", f"{API}?status=done", None, 400, "unknown status 'done'"),
    ("get", f"{API}?older_than=soon", None, 400, "older than: cannot read 'soon'"),
    ("get", f"{API}?after=x", None, 400, "is not a page cursor"),
    ("get", f"{API}/999999", None, 404, "conversation 999999 not found"),
    ("get", f"{API}/3000000000", None, 400, "is not an id"),
    ("get", f"{API}?network=a%00b", None, 400, "network: contains a NUL character"),
    ("get", f"{API}?older_than=99999d", None, 400, "at most 3650d"),
    ("get", f"{API}?after=2026-01-01T00:00:00%2B00:00~99999999999", None, 400,
     "is not a page cursor"),
    ("post", f"{API}/assign", {"ids": [1], "to": "a\u0000"}, 400, "contains a NUL"),
    ("post", f"{API}/status", {"ids": [3000000000], "status": "open"}, 400, "ids: give a"),
    ("post", f"{API}/status", {"ids": [1], "status": "gone"}, 400, "unknown status 'gone'"),
    ("post", f"{API}/status", {"ids": "1", "status": "open"}, 400, "ids: give a list"),
    ("post", f"{API}/assign", {"ids": [1], "who": "x"}, 400, "unknown field 'who'"),
    ("post", f"{API}/999999/note", {"text": "x"}, 404, "conversation 999999 not found"),
])
def test_api_bad_input_is_one_line_4xx(api: TestClient, method: str, path: str,
                                       body: Any, status: int, message: str) -> None:
    r = getattr(api, method)(path, **({"json": body} if body is not None else {}))
    assert r.status_code == status and message in r.json()["error"]["message"]


def test_page_filter_assign_close_in_a_browser(seeded: App, page: Any) -> None:
    with serve_app(create_app(seeded.settings)) as server:
        page.goto(f"{server.url}/inbox?workspace=acme")
        assert page.locator("[data-conversation]").count() == 4
        page.select_option("[data-filter=status]", "open")
        page.fill("[data-filter=network]", "mastodon")
        page.click("[data-apply-filters]")
        page.wait_for_url("**network=mastodon**")
        rows = page.locator("[data-conversation]")
        assert rows.count() == 2
        row = rows.first
        cid = row.get_attribute("data-conversation")
        row.locator("[data-assign-to]").fill("ana")
        row.locator("[data-action=assign]").click()
        page.wait_for_load_state()
        row = page.locator(f"[data-conversation='{cid}']")
        assert row.locator("[data-assignee]").inner_text().startswith("ana")
        assert page.locator("[data-filter=network]").input_value() == "mastodon"  # kept
        row.locator("[data-action=closed]").click()
        page.wait_for_load_state()
        # the filter asks for open conversations: the closed one leaves the view
        assert page.locator(f"[data-conversation='{cid}']").count() == 0
        assert page.locator("[data-conversation]").count() == 1
    conv = seeded.inbox.thread(seeded.workspace("acme"), int(cid or 0)).conversation
    assert (conv.status.value, conv.assignee) == ("closed", "ana")
