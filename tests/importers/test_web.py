"""The Import page (upload, preview, progress, result) and the import API."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import browser_client

from .conftest import SAMPLES, serve_app

X = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"


@pytest.fixture
def client(demo_app):
    with browser_client(create_app(demo_app.settings), raise_server_exceptions=False) as c:
        yield c


def test_api_import_dry_run_then_write(client, demo_app):
    ws = demo_app.store.workspace("demo")
    n = len(demo_app.store.accounts(ws.id))
    files = {"files": (X.name, X.read_bytes(), "text/csv")}
    r = client.post("/api/workspaces/demo/imports", files=files, data={"dry_run": "true"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dry_run"] and body["rows"]["posts"] == 33
    assert body["files"][0]["format"] == "x-tweets"
    assert len(demo_app.store.accounts(ws.id)) == n  # nothing written
    r = client.post("/api/workspaces/demo/imports", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["written"]["posts"] == 33
    assert r.json()["accounts_created"] == ["X rOpenSci"]
    accounts = client.get("/api/workspaces/demo/accounts").json()
    assert any(a["handle"] == "rOpenSci" for a in accounts)


def test_api_bad_file_is_a_4xx_with_one_line(client):
    files = {"files": ("export.csv", b"\xff\xfe\x00garbage" * 10, "text/csv")}
    r = client.post("/api/workspaces/demo/imports", files=files)
    assert r.status_code == 400
    msg = r.json()["error"]["message"]
    assert msg.startswith("export.csv:") and "\n" not in msg
    r = client.post("/api/workspaces/demo/imports", data={"format": "auto"})
    assert r.status_code == 400 and "files" in r.json()["error"]["message"]
    r = client.post("/api/workspaces/nope/imports", files={"files": (X.name, b"x", "text/csv")})
    assert r.status_code == 404


def test_formats_api(client):
    ids = [f["id"] for f in client.get("/api/import/formats").json()]
    assert "x-tweets" in ids and "tiktok" in ids and "generic" in ids


def _wait_for(client: TestClient, url: str, states: tuple[str, ...]) -> str:
    """Poll the job page as a browser without JavaScript would, until it reaches a state.

    Every poll must render (a 5xx here is the race between the page and the worker thread)."""
    deadline = time.monotonic() + 120
    while True:
        r = client.get(url)
        assert r.status_code == 200, r.text[-2000:]
        if any(f'data-import-state="{s}"' in r.text for s in states):
            return r.text
        assert time.monotonic() < deadline, r.text[-2000:]
        time.sleep(0.02)


def test_page_flow_without_javascript(client, demo_app):
    r = client.get("/import?workspace=demo")
    assert r.status_code == 200 and 'type="file"' in r.text
    files = [("files", (p.name, p.read_bytes(), "text/csv"))
             for p in sorted((SAMPLES / "tiktok").glob("*.csv"))]
    r = client.post("/import?workspace=demo", files=files, follow_redirects=False)
    assert r.status_code == 303
    job_url = r.headers["location"]
    page = _wait_for(client, job_url, ("previewed", "error"))
    assert 'data-import-state="previewed"' in page, page[-2000:]
    assert "TikTok haileytupy2.0" in page and "data-import-preview" in page
    r = client.post(job_url.replace("?", "/commit?"), follow_redirects=True)
    assert r.status_code == 200, r.text[-2000:]
    page = _wait_for(client, job_url, ("done", "error"))
    assert "13 posts" in page and "New accounts" in page


@pytest.mark.browser
def test_browser_upload_shows_result_and_overview_has_the_account(demo_app, page, page_log):
    with serve_app(create_app(demo_app.settings)) as server:
        page.goto(f"{server.url}/import?workspace=demo")
        page.set_input_files("input[data-import-files]", [str(X)])
        page.click("text=Upload and preview")
        page.wait_for_selector('[data-import-state="previewed"]')
        assert "x-tweets" in page.inner_text("[data-import-report]")
        assert "1465712230054432768" in page.inner_text("[data-import-preview]")
        page.click("[data-import-commit]")
        page.wait_for_selector('[data-import-state="done"]')
        assert "33 posts" in page.inner_text("[data-import-counts]")
        assert page.inner_text("[data-import-accounts]") == "X rOpenSci"
        # the new account is in the API the Overview uses, with correct metrics
        resp = page.request.get(f"{server.url}/api/workspaces/demo/accounts")
        assert any(a["handle"] == "rOpenSci" for a in resp.json())
        ov = page.request.get(f"{server.url}/api/workspaces/demo/overview?period=2021-11")
        assert ov.status == 200, ov.text()
        assert page_log.errors == [] and page_log.foreign_hosts() == []


def test_overview_panel_lists_imports(client, demo_app):
    from socialpulse.domain.periods import parse_period
    from socialpulse.interfaces.web.imports import _latest_imports_panel

    ws = demo_app.store.workspace("demo")
    panel = _latest_imports_panel(demo_app, ws, parse_period("2026-10", "p"))
    assert panel is not None and panel["items"] == []  # the demo's own batch is not an import
    client.post("/api/workspaces/demo/imports",
                files={"files": (X.name, X.read_bytes(), "text/csv")})
    panel = _latest_imports_panel(demo_app, ws, parse_period("2026-10", "p"))
    assert panel["text"] == "1 import so far."
    assert panel["items"][0]["label"] == X.name
    assert panel["items"][0]["value"].startswith("66 rows")
    page = client.get("/?workspace=demo").text
    assert "Latest imports" in page
