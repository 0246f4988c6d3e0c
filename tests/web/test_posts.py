"""Posts: the list adds up to the metrics, the real X sample matches X's own per-tweet rate,
and the CLI, the API and the page (in Chromium) serve it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import Scope, ScopeKind
from socialpulse.interfaces.cli import main
from tests.webfixtures import LiveServer, PageLog

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
X = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
Q3 = DateRange(date(2026, 7, 1), date(2026, 9, 30))


def _all(app: App, **kwargs: Any) -> list[dict[str, Any]]:
    ws = app.workspace("demo")
    rows: list[dict[str, Any]] = []
    while True:
        page = app.posts.list(ws, limit=500, offset=len(rows), **kwargs)
        rows += page.rows
        if len(rows) >= page.total:
            return rows


def test_the_posts_of_a_scope_add_up_to_its_metrics(demo_app_ro: App):
    ws = demo_app_ro.workspace("demo")
    rows = _all(demo_app_ro, period=Q3, sort="engagements")
    own = demo_app_ro.overview.scope(ws).account_ids
    table = demo_app_ro.metrics.compute(ws, [("engagements", None), ("impressions", None)],
                                        period=Q3, account_ids=own)
    assert sum(r["engagements"] or 0 for r in rows) == table.rows[0]["engagements"]
    assert sum(r["impressions"] or 0 for r in rows) == table.rows[0]["impressions"]
    assert all(Q3.start <= r["local_date"] <= Q3.end for r in rows)
    # best first, posts without the counter last
    values = [r["engagements"] for r in rows]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and values[:len(known)] == known
    # the rate is the catalogue's engagement rate of one post
    r = next(r for r in rows if r["impressions"])
    assert r["engagement_rate"] == pytest.approx(100 * r["engagements"] / r["impressions"])


def test_filters_search_and_competitors(demo_app_ro: App):
    own = _all(demo_app_ro, period=Q3)
    every = _all(demo_app_ro, period=Q3, scope=Scope(ScopeKind.ALL))
    assert len(every) > len(own)
    assert {r["account"] for r in every} - {r["account"] for r in own}
    tiktok = _all(demo_app_ro, period=Q3, networks=["tiktok"])
    assert tiktok and {r["network"] for r in tiktok} == {"tiktok"}
    found = _all(demo_app_ro, period=Q3, search="TRAIL")
    assert found and all("trail" in r["text"].lower() for r in found)
    assert len(found) == sum("trail" in (r["text"] or "").lower() for r in own)
    one = _all(demo_app_ro, period=Q3, accounts=["x:@acmecare"])
    assert one and {r["account"] for r in one} == {"@acmecare"}
    ws = demo_app_ro.workspace("demo")
    for kwargs, message in [({"sort": "colour"}, "sort: unknown column 'colour'"),
                            ({"limit": 501}, "limit: 501 is not between 1 and 500"),
                            ({"offset": -1}, "offset: -1 is negative"),
                            ({"networks": ["myspace"]}, "networks"),
                            ({"accounts": ["nobody"]}, "no account 'nobody'")]:
        with pytest.raises(InvalidInput, match=message):
            demo_app_ro.posts.list(ws, **kwargs)


def test_real_x_export_matches_the_per_tweet_rate_x_reports(empty_app: App, capsys):
    home = ["--home", str(empty_app.settings.home)]
    assert main([*home, "import", str(X), "--quiet"]) == 0
    capsys.readouterr()
    assert main([*home, "posts", "--limit", "500", "--format", "json"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert page["total"] == 33
    with X.open(encoding="utf-8-sig") as fh:
        theirs = {r["Tweet id"]: float(r["engagement rate"]) for r in csv.DictReader(fh)}
    for p in page["posts"]:
        assert p["engagement_rate"] == pytest.approx(100 * theirs[p["post_id"]], abs=1e-6)
    assert main([*home, "posts", "--sort", "impressions", "--limit", "3"]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert lines[0].startswith("local_date") and len(lines) == 6
    assert lines[-1] == "scope: own brands (accounts of no brand)"  # imports add no brand
    assert "posts 1-3 of 33 by impressions; next: --offset 3" in out.err
    assert main([*home, "posts", "--sort", "nope"]) == 2
    err = capsys.readouterr().err
    assert "sort: unknown column 'nope'" in err and len(err.strip().splitlines()) == 1


def test_api_json_and_csv(client: TestClient):
    r = client.get("/api/workspaces/demo/posts", params={"period": "2026-Q3", "limit": 3,
                                                         "sort": "engagement_rate"})
    assert r.status_code == 200, r.text
    body = r.json()
    rates = [p["engagement_rate"] for p in body["posts"]]
    assert len(rates) == 3 and rates == sorted(rates, reverse=True) and body["total"] > 3
    r = client.get("/api/workspaces/demo/posts", params={"period": "2026-Q3", "limit": 5,
                                                         "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 5
    assert all(not row["account"].startswith("@") for row in rows)  # neutralised cells
    for params, message in [({"sort": "x"}, "sort: unknown column"),
                            ({"limit": 0}, "limit: 0"),
                            ({"period": "2026-Q9"}, "period")]:
        r = client.get("/api/workspaces/demo/posts", params=params)
        assert r.status_code == 400 and message in r.json()["error"]["message"]


@pytest.mark.browser
def test_posts_page_in_chromium(live_server: LiveServer, page: Any, page_log: PageLog):
    page.goto(f"{live_server.url}/posts?workspace=demo&period=2026-Q3")
    rows = page.locator("[data-posts] tbody tr")
    assert rows.count() == 25
    total = int(page.inner_text("[data-count]").split(" of ")[1].replace(",", ""))
    assert page.inner_text("[data-count]") == f"1-25 of {total:,}" and total > 50
    page.select_option("[data-posts-form] select[name=sort]", "engagement_rate")
    page.click("[data-posts-form] button[type=submit]")
    page.wait_for_url("**sort=engagement_rate**")
    rates = [float(t.rstrip("%")) for t in page.locator("[data-rate]").all_inner_texts()]
    assert rates == sorted(rates, reverse=True)
    page.click("[data-next]")
    page.wait_for_url("**offset=25**")
    assert page.inner_text("[data-count]").startswith("26-")
    assert page_log.errors == [] and page_log.foreign_hosts() == []


def test_overview_panel_shows_the_top_posts_and_links_to_the_list(client: TestClient,
                                                                   demo_app_ro: App):
    html = client.get("/?workspace=demo&period=2026-Q3").text
    panel = html[html.index('data-panel="top-posts"'):]
    panel = panel[:panel.index("</article>")]
    best = demo_app_ro.posts.list(demo_app_ro.workspace("demo"), Q3, limit=3).rows
    assert panel.count("<li") == 3
    assert f"{best[0]['engagements']:,} engagements" in panel
    assert "/posts?workspace=demo&amp;period=2026-07-01..2026-09-30" in panel
    r = client.get("/posts?workspace=demo&period=2026-07-01..2026-09-30")
    assert r.status_code == 200 and r.text.count("data-post=") == 25
