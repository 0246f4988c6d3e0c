"""The Competitors view on the demo: service, CLI, API, page (in Chromium) and report section.

Values are checked against the demo's Parquet files read with pyarrow (followers, posts) and
against `MetricsService` broken down by brand (the view must never compute a formula itself).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyarrow.compute as pc
import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.periods import parse_period
from socialpulse.domain.query import Scope, ScopeKind, parse_breakdown
from socialpulse.interfaces.cli import main
from socialpulse.services.compare import COMPARE_METRICS, parse_compare_metrics
from tests.core.test_scope import _followers_at
from tests.webfixtures import LiveServer, PageLog

Q3 = parse_period("2026-Q3")
BRANDS = ["Acme Outdoor", "Summit Gear", "TrailCo"]


def _posts_in_q3(app: App, account_ids: set[int]) -> int:
    """Posts published in Q3 by these accounts, counted in the Parquet files (one per post)."""
    t = app.lake.read(app.workspace("demo").id, "posts")
    t = t.filter(pc.and_(pc.greater_equal(t["local_date"], Q3.start),
                         pc.less_equal(t["local_date"], Q3.end)))
    return len({(r["account_id"], r["post_id"]) for r in t.to_pylist()
                if r["account_id"] in account_ids})


def test_compare_by_hand_and_through_the_metrics_service(demo_app_ro: App) -> None:
    app = demo_app_ro
    ws = app.workspace("demo")
    result = app.compare.compare(ws, Q3)
    assert [b["brand"] for b in result.brands] == BRANDS  # own first
    assert [b["own"] for b in result.brands] == [True, False, False]
    assert [b["accounts"] for b in result.brands] == [8, 3, 3]
    accounts = app.store.accounts(ws.id)
    for b in result.brands:
        ids = {a.id for a in accounts if a.brand_name == b["brand"]}
        assert b["values"]["followers"] == _followers_at(app, ids, Q3.end)
        assert b["values"]["posts"] == _posts_in_q3(app, ids)
    keys = [m.key for m in COMPARE_METRICS]
    table = app.metrics.compute(ws, [(k.partition(":")[0], k.partition(":")[2] or None)
                                     for k in [*keys, "engagements"]],
                                parse_breakdown("brand"), Q3, scope=Scope(ScopeKind.ALL))
    by_brand = {r["brand"]: r for r in table.rows}
    for b in result.brands:
        row = by_brand[b["brand"]]
        assert b["values"] == {k: row[k] for k in keys}
        assert row["engagements:per_post"] == pytest.approx(row["engagements"] / row["posts"])
    # competitors' public counters have no impressions: n/a, said, never 0
    own, summit, trailco = result.brands
    assert own["values"]["engagement_rate"] > 0
    assert summit["values"]["engagement_rate"] is None
    assert trailco["values"]["engagement_rate:by_followers"] > 0
    assert ("TrailCo: no impressions in its exports, so engagement rate by impressions is not "
            "comparable.") in result.notes
    assert result.scope.label == "all brands (Acme Outdoor, Summit Gear, TrailCo)"
    assert all(m["why"] for m in result.metrics)


def test_a_workspace_without_competitors_says_so(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    for handle in ("x:@summitgear", "x:@trailco"):
        demo_app.workspaces.update_account(local_actor(), ws, handle, competitor=False)
    result = demo_app.compare.compare(ws, Q3, parse_compare_metrics("followers"))
    assert all(b["own"] for b in result.brands)
    assert any("No competitor brand yet" in n for n in result.notes)


def test_compare_cli(capsys, demo_app_ro: App) -> None:
    home = ["--home", str(demo_app_ro.settings.home)]
    assert main([*home, "compare", "--period", "2026-Q3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["metric", "Acme", "Outdoor", "(own)", "Summit", "Gear", "TrailCo"]
    assert out[-2:] == ["period: 2026-07-01..2026-09-30",
                        "scope: all brands (Acme Outdoor, Summit Gear, TrailCo)"]
    impressions = next(line for line in out if line.startswith("Engagement rate by impressions"))
    assert impressions.split()[-2:] == ["n/a", "n/a"]
    assert main([*home, "compare", "--period", "2026-Q3", "--metrics", "followers,posts",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["brand"] for r in rows] == BRANDS
    assert set(rows[0]) == {"brand", "own", "accounts", "followers", "posts", "period", "scope"}
    assert main([*home, "compare", "--period", "2026-Q3", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scope"]["kind"] == "all" and len(doc["metrics"]) == len(COMPARE_METRICS)
    assert main([*home, "compare", "--metrics", "share_of_voice"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("socialpulse: error:")


def test_compare_api(client: TestClient) -> None:
    r = client.get("/api/workspaces/demo/compare", params={"period": "2026-Q3"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [b["brand"] for b in body["brands"]] == BRANDS
    assert body["scope"]["label"] == "all brands (Acme Outdoor, Summit Gear, TrailCo)"
    r = client.get("/api/workspaces/demo/compare",
                   params={"period": "2026-Q3", "metrics": "followers", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0] == "brand,own,accounts,followers,period,scope"
    bad = client.get("/api/workspaces/demo/compare", params={"metrics": "nope"})
    assert bad.status_code == 404 and "unknown metric 'nope'" in bad.json()["error"]["message"]


def test_pages_state_their_scope(client: TestClient) -> None:
    own = client.get("/?workspace=demo&period=2026-Q3").text
    assert "Scope: own brands (Acme Outdoor)" in own
    rivals = client.get("/?workspace=demo&period=2026-Q3&scope=competitors").text
    assert "Scope: competitors (Summit Gear, TrailCo)" in rivals
    explorer = client.get("/metrics?metric=followers&entity=brand&grain=&period=2026-Q3"
                          "&scope=brand:TrailCo").text
    assert "Scope: brands (TrailCo)" in explorer
    posts = client.get("/posts?workspace=demo&period=2026-Q3&scope=all").text
    assert "Scope: all brands (Acme Outdoor, Summit Gear, TrailCo)" in posts
    assert client.get("/posts?scope=mine").status_code == 400


def test_report_has_a_competitors_section(demo_app_ro: App) -> None:
    report = demo_app_ro.reports.build(demo_app_ro.workspace("demo"), Q3,
                                       sections=["kpis", "competitors"])
    section = report.section("competitors")
    assert section is not None
    assert section.data["brands"] == BRANDS and section.data["own"] == ["Acme Outdoor"]
    assert section.summary and section.summary[0].startswith("Acme Outdoor ranks ")
    rows = {r["metric"]: r for r in section.tables[0].rows}
    assert rows["Engagement rate by impressions"]["TrailCo"] == "n/a"


@pytest.mark.browser
def test_competitors_page_in_chromium(live_server: LiveServer, page: Any,
                                      page_log: PageLog) -> None:
    page.goto(f"{live_server.url}/?workspace=demo")
    page.click("nav >> text=Competitors")
    page.wait_for_url("**/compare**")
    heads = page.locator("[data-compare] thead th[data-brand]")
    assert heads.all_inner_texts()[0].startswith("Acme Outdoor")
    assert [h.get_attribute("data-brand") for h in heads.all()] == BRANDS
    rows = page.locator("[data-compare] tbody tr")
    assert rows.count() == len(COMPARE_METRICS)
    assert page.inner_text("[data-scope]").startswith("Scope: all brands")
    assert "per follower or per post" in page.inner_text("main")
    assert "TrailCo: no impressions" in page.inner_text("[data-notes]")
    # the period picker reloads the comparison
    page.select_option("#period-select", "last-quarter")
    page.click(".toolbar button[type=submit]")
    page.wait_for_url("**period=last-quarter**")
    assert page.locator("[data-compare] tbody tr").count() == len(COMPARE_METRICS)
    # the Posts page's scope selector narrows the list to the competitors
    page.goto(f"{live_server.url}/posts?workspace=demo&period=2026-Q3")
    page.select_option("[data-posts-form] [data-scope-select]", "competitors")
    page.click("[data-posts-form] button[type=submit]")
    page.wait_for_url("**scope=competitors**")
    assert page.inner_text("[data-scope]") == "Scope: competitors (Summit Gear, TrailCo)"
    accounts = page.locator("[data-posts] tbody tr td:nth-child(2)").all_inner_texts()
    assert accounts and all(("summitgear" in a or "trailco" in a) for a in accounts)
    assert page_log.errors == [] and page_log.foreign_hosts() == []


def test_the_explorer_export_keeps_its_scope(client: TestClient) -> None:
    """The XLSX/CSV export of the explorer's table covers the scope the page shows."""
    base = "/api/workspaces/demo/export?table=metrics&metrics=followers&by=brand&period=2026-Q3"
    rows = list(csv.DictReader(io.StringIO(client.get(base + "&format=csv").text)))
    assert [r["brand"] for r in rows] == ["Acme Outdoor"]  # own brands by default
    rivals = client.get(base + "&format=csv&scope=competitors").text
    rows = list(csv.DictReader(io.StringIO(rivals)))
    assert [r["brand"] for r in rows] == ["Summit Gear", "TrailCo"]
    assert {r["scope"] for r in rows} == {"competitors (Summit Gear, TrailCo)"}
    one = list(csv.DictReader(io.StringIO(
        client.get(base + "&format=csv&brand=TrailCo").text)))
    assert [r["brand"] for r in one] == ["TrailCo"]
