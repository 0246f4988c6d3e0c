"""Listening on the web: JSON API, the Listening page in Chromium, the Overview panel."""

from __future__ import annotations

from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.interfaces.web.app import create_app
from socialpulse.services.demo_data import events
from tests.conftest import DEMO_UNTIL as UNTIL
from tests.webfixtures import PageLog, browser_client, serve_app

API = "/api/workspaces/demo/listening"


def test_api_reads(client: Any) -> None:
    r = client.get(f"{API}/share-of-voice", params={"period": "2026-Q3"})
    assert r.status_code == 200
    brands = r.json()["brands"]
    assert abs(sum(b["share_of_voice"] for b in brands) - 1) < 1e-9
    r = client.get(f"{API}/volume", params={"period": "2026-07", "grain": "day"})
    assert r.status_code == 200 and len(r.json()) >= 31 * 2
    r = client.get(f"{API}/alerts")
    alerts = r.json()
    assert any(a["kind"] == "volume" and a["brand"] == "Acme Outdoor" and a["mentions"]
               for a in alerts)
    r = client.get(f"{API}/mentions", params={"brand": "TrailCo", "sentiment": "negative",
                                              "limit": 5})
    body = r.json()
    assert r.status_code == 200 and len(body["mentions"]) == 5 and body["total"] > 5
    assert all(m["brands"] == ["TrailCo"] or "TrailCo" in m["brands"] for m in body["mentions"])
    r = client.get(f"{API}/trending", params={"period": "2026-06-20..2026-07-09"})
    assert r.status_code == 200 and r.json()["themes"]
    r = client.get(f"{API}/authors", params={"limit": 3})
    assert [a["followers"] for a in r.json()] == sorted((a["followers"] for a in r.json()),
                                                        reverse=True)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "message"),
    [
        ("put", f"{API}/brands/TrailCo/query", {"json": {"query": "(trailco"}}, 400,
         "'(' is never closed at column 1"),
        ("put", f"{API}/brands/Nobody/query", {"json": {"query": "x"}}, 404,
         "brand 'Nobody' not found"),
        ("get", f"{API}/mentions", {"params": {"limit": "5000"}}, 400, "limit"),
        ("get", f"{API}/volume", {"params": {"grain": "hour"}}, 400, "unknown grain"),
        ("post", f"{API}/corrections", {"json": {"mention_id": "x", "sentiment": "meh"}}, 400,
         "unknown value 'meh'"),
        ("post", "/api/listening/classify", {"json": {"texts": "hello"}}, 400,
         "texts: required"),
        ("post", f"{API}/ingest", {"content": b""}, 400, "body: empty"),
        ("get", "/api/workspaces/nope/listening/brands", {}, 404, "workspace 'nope'"),
    ],
)
def test_api_errors(client: Any, method: str, path: str, kwargs: dict[str, Any], status: int,
                    message: str) -> None:
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code == status
    assert message in r.json()["error"]["message"]


def test_api_writes_on_a_private_home(demo_app: App) -> None:
    with browser_client(create_app(demo_app.settings)) as c:
        r = c.post(f"{API}/ingest", params={"filename": "mine.jsonl"},
                   content=b'{"id": "w1", "text": "TrailCo tent is great", '
                           b'"published_at": "2026-10-30T10:00:00Z", "network": "x"}\n')
        assert r.status_code == 200, r.text
        assert r.json()["by_brand"] == {"TrailCo": 1}
        r = c.post(f"{API}/corrections", json={"mention_id": "w1", "sentiment": "negative"})
        assert r.status_code == 200 and r.json()["sentiment"] == "negative"
        r = c.get(f"{API}/mentions", params={"q": "tent is great"})
        assert r.json()["mentions"][0]["sentiment_source"] == "user"
        r = c.post("/api/listening/classify", json={"texts": ["love it", "hate it"],
                                                    "languages": ["en"]})
        assert [x["lang"] for x in r.json()] == ["en", "en"]
        # detection is a POST (GET alerts only lists): stricter settings find more spikes
        listed = c.get(f"{API}/alerts").json()
        assert c.get(f"{API}/alerts").json() == listed
        # the old GET ...?detect=true is refused with the way to detect, and stores nothing
        r = c.get(f"{API}/alerts", params={"detect": "true", "threshold": "2", "min_volume": "5"})
        assert r.status_code == 400 and "alerts/detect" in r.json()["error"]["message"]
        assert c.get(f"{API}/alerts").json() == listed
        r = c.post(f"{API}/alerts/detect", json={"threshold": 2.0, "min_volume": 5})
        assert r.status_code == 200, r.text
        assert len(r.json()) > len(listed) and r.json() == c.get(f"{API}/alerts").json()
        for bad in ({"threshold": 0}, {"threshold": "3"}, {"min_volume": 0},
                    {"min_volume": True}):
            r = c.post(f"{API}/alerts/detect", json=bad)
            assert r.status_code == 400 and r.json()["error"]["message"].startswith("body: ")


@pytest.mark.browser
def test_listening_page_charts_alert_and_correction(demo_app: App, page: Any,
                                                    page_log: PageLog) -> None:
    with serve_app(create_app(demo_app.settings)) as server:
        page.goto(server.url + "/listening?workspace=demo&days=365")
        page.wait_for_function(
            """() => {
                const els = [...document.querySelectorAll('[data-listen-chart]')];
                return els.length === 3 && els.every(e => e.hasAttribute('data-rendered')
                    || e.hasAttribute('data-render-error'));
            }""")
        assert page.eval_on_selector_all("[data-render-error]", "els => els.length") == 0
        assert page.eval_on_selector_all("[data-listen-chart] svg, [data-listen-chart] canvas",
                                         "els => els.length") == 3
        # the crisis alert lists the mentions that caused it
        alert = page.locator("[data-alert-kind=volume]").filter(  # the crisis, not the
            has_text=events(UNTIL)["bad-week"].start.isoformat()).first  # later press day
        assert "Acme Outdoor" in alert.inner_text()
        assert alert.locator("[data-alert-mention]").count() >= 3
        assert "leak" in alert.inner_text().lower() or "jacket" in alert.inner_text().lower()
        assert page.locator("[data-sov-table] tbody tr").count() == 3
        # correct the first mention's label through the form
        row = page.locator("[data-mention]").first
        mention_id = row.get_attribute("data-mention")
        current = row.locator("select").input_value()
        new = "negative" if current != "negative" else "positive"
        row.locator("select").select_option(new)
        row.locator("button").click()
        page.wait_for_load_state()
        row = page.locator(f"[data-mention='{mention_id}']")
        assert row.locator("select").input_value() == new
        assert "by you" in row.locator("[data-sentiment-source]").inner_text()
        # the Overview shows the latest alert
        page.goto(server.url + "/?workspace=demo")
        panel = page.locator("[data-panel=listening-alert]")
        assert "spike" in panel.inner_text()
    assert page_log.errors == []
    assert page_log.foreign_hosts() == []
