"""The Workspace page: settings form (same service as CLI and API), accounts, import history."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.domain.models import http_url
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import PageLog, browser_client, serve_app


@pytest.fixture
def private_client(demo_app: App) -> Any:
    with browser_client(create_app(demo_app.settings), raise_server_exceptions=False) as c:
        yield c


def test_page_lists_settings_accounts_and_history(client: TestClient, demo_app_ro: App):
    r = client.get("/workspace?workspace=demo")
    assert r.status_code == 200
    ws = demo_app_ro.workspace("demo")
    assert f'value="{ws.timezone}"' in r.text and 'value="en,es,de,fr"' in r.text
    accounts = demo_app_ro.store.accounts(ws.id)
    assert r.text.count("<tr data-account=") == len(accounts)
    assert "summitgear" in r.text.lower() and "competitor" in r.text
    batch = demo_app_ro.store.batches(ws.id)[0]
    assert f'<td>{batch.id}</td><td class="file-name">{batch.source}</td>' in r.text


def test_form_saves_and_a_new_zone_rewrites_the_days(private_client: TestClient, demo_app: App):
    ws = demo_app.workspace("demo")
    form = {"name": ws.name, "timezone": "Asia/Tokyo", "languages": "en,es,de,fr"}
    r = private_client.post("/workspace/settings?workspace=demo", data=form)
    assert r.status_code == 200  # after the redirect
    assert "Saved. Local days re-derived in Asia/Tokyo:" in r.text and "posts" in r.text
    ws = demo_app.workspace("demo")
    assert ws.timezone == "Asia/Tokyo"
    rows = demo_app.lake.read(ws.id, "posts").select(["published_at", "local_date"]).to_pylist()
    assert all(x["published_at"] is None
               or x["published_at"].astimezone(ZoneInfo("Asia/Tokyo")).date() == x["local_date"]
               for x in rows)
    # posting the same values again changes nothing and says saved
    n = len(demo_app.store.batches(ws.id, None))
    r = private_client.post("/workspace/settings?workspace=demo",
                            data={**form, "timezone": "Asia/Tokyo"})
    assert r.status_code == 200 and "Saved." in r.text
    assert len(demo_app.store.batches(ws.id, None)) == n


def test_form_error_keeps_input_and_changes_nothing(private_client: TestClient, demo_app: App):
    before = demo_app.workspace("demo")
    r = private_client.post("/workspace/settings?workspace=demo",
                            data={"name": "New name", "timezone": "Moon/Base",
                                  "languages": "en"})
    assert r.status_code == 400
    assert "unknown time zone &#39;Moon/Base&#39;" in r.text and 'value="Moon/Base"' in r.text
    assert demo_app.workspace("demo") == before
    # only numbers from the query string reach the page
    r = private_client.get("/workspace?workspace=demo&saved=1&rows_posts=<b>x</b>")
    assert "<b>x</b>" not in r.text and "Saved." in r.text


def test_links_from_imported_data_are_http_only():
    assert http_url("https://x.com/acme") == "https://x.com/acme"
    assert http_url(" HTTP://example.org ") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", "data:text/html,<b>", "", None, "//evil.example"):
        assert http_url(bad) == ""


@pytest.mark.browser
def test_settings_in_chromium(demo_app: App, page: Any, page_log: PageLog):
    with serve_app(create_app(demo_app.settings)) as server:
        page.goto(f"{server.url}/workspace?workspace=demo")
        assert page.locator("nav >> text=Workspace").count() >= 1
        page.fill("[data-settings-form] input[name=timezone]", "America/New_York")
        page.click("[data-settings-form] button[type=submit]")
        page.wait_for_selector("[data-saved]")
        assert "re-derived in America/New_York" in page.inner_text("[data-saved]")
        assert page.locator("[data-batches] tbody tr").first.inner_text().split("\t")[3] \
            == "active"
        # an account row: the HR team owns the careers page; a brand becomes a competitor
        row = page.locator('[data-account="5"]')
        row.locator("select[name=function]").select_option("hr")
        row.locator("input[name=brand]").fill("Acme Careers")
        row.locator("button[type=submit]").click()
        page.wait_for_selector("[data-saved]")
        row = page.locator('[data-account="5"]')
        assert row.locator("select[name=function]").input_value() == "hr"
        assert row.locator("input[name=brand]").input_value() == "Acme Careers"
        assert not row.locator("input[name=competitor]").is_checked()
        assert page_log.errors == [] and page_log.foreign_hosts() == []


def test_account_form_error_changes_nothing(private_client: TestClient, demo_app: App):
    ws = demo_app.workspace("demo")
    before = demo_app.store.accounts(ws.id)
    r = private_client.post("/workspace/accounts/3?workspace=demo",
                            data={"function": "astrology", "brand": "Acme Outdoor"})
    assert r.status_code == 400 and "account 3: function" in r.text
    r = private_client.post("/workspace/accounts/999?workspace=demo", data={"function": "hr"})
    assert r.status_code == 400 and "no account &#39;999&#39;" in r.text
    assert demo_app.store.accounts(ws.id) == before
    r = private_client.post("/workspace/accounts/13?workspace=demo",
                            data={"function": "marketing", "brand": "TrailCo"})
    assert r.status_code == 200  # unticked: TrailCo is no longer a competitor
    assert all(a.is_own for a in demo_app.store.accounts(ws.id) if a.brand_name == "TrailCo")


def test_every_page_of_the_navigation_shows_the_whole_navigation(client: TestClient):
    """A page's own context must never shadow the base template's (a page passing its own
    ``nav`` once emptied the menu)."""
    from socialpulse.interfaces.web.registry import NAV

    for item in NAV:
        r = client.get(f"{item.path}?workspace=demo")
        assert r.status_code == 200, item.path
        menu = r.text[r.text.index('<nav class="mainnav"'):]
        menu = menu[:menu.index("</nav>")]
        assert all(f">{other.label}</a>" in menu for other in NAV), item.path
        assert 'aria-current="page"' in menu, item.path
