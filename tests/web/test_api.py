"""The core JSON API over the demo home: answers, numbers equal to the service's, bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import parse_breakdown
from socialpulse.interfaces.web.app import create_app
from socialpulse.services.export import to_csv
from socialpulse.services.workspaces import WorkspaceService
from tests.webfixtures import browser_client

KPIS = ["impressions", "engagements", "engagement_rate", "followers", "audience_growth_rate",
        "amplification_rate"]


def error_of(resp: Any, status: int) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message"}
    message: str = body["error"]["message"]
    assert "\n" not in message and "Traceback" not in message
    return message


def test_workspaces_and_accounts(client: TestClient) -> None:
    ws = client.get("/api/workspaces").json()
    assert [w["slug"] for w in ws] == ["demo"]
    assert ws[0]["timezone"] == "Europe/Madrid" and ws[0]["accounts"] == 14
    accounts = client.get("/api/workspaces/demo/accounts").json()
    assert len(accounts) == 14
    brands = {a["brand"] for a in accounts if a["competitor"]}
    assert brands == {"Summit Gear", "TrailCo"}
    own = [a for a in accounts if not a["competitor"]]
    assert {a["network"] for a in own} == {"x", "facebook", "instagram", "linkedin", "youtube",
                                          "tiktok"}
    assert {a["network_label"] for a in own} >= {"X", "LinkedIn", "TikTok"}


def test_catalogue_and_explain(client: TestClient) -> None:
    metrics = {m["id"]: m for m in client.get("/api/metrics").json()}
    er = metrics["engagement_rate"]
    assert er["unit"] == "percent" and er["default_variant"] == "by_impressions"
    assert "by_reach" in er["variants"]
    ex = client.get("/api/metrics/engagement_rate/explain?variant=by_reach&workspace=demo")
    assert ex.status_code == 200
    body = ex.json()
    assert body["variant"] == "by_reach"
    assert body["formula"] == "engagements / reach x 100"
    assert [i["id"] for i in body["inputs"]] == ["engagements", "reach"]
    assert "SELECT" in body["sql"] and "workspace_id" in body["sql"]
    assert "facebook" in body["networks"]


@pytest.mark.parametrize(
    ("url", "status", "needle"),
    [
        ("/api/metrics/nope/explain", 404, "unknown metric 'nope'"),
        ("/api/metrics/engagement_rate/explain?variant=zzz", 404, "unknown variant 'zzz'"),
        ("/api/metrics/engagement_rate/explain?workspace=ghost", 404, "workspace 'ghost'"),
        ("/api/workspaces/ghost/accounts", 404, "workspace 'ghost' not found"),
        ("/api/workspaces/ghost/metrics?metrics=followers", 404, "workspace 'ghost' not found"),
        ("/api/workspaces/demo/metrics", 400, "query parameter 'metrics'"),
        ("/api/workspaces/demo/metrics?metrics=,", 400, "metrics: name at least one metric"),
        ("/api/workspaces/demo/metrics?metrics=nope", 404, "unknown metric 'nope'"),
        ("/api/workspaces/demo/metrics?metrics=followers:zzz", 404, "unknown variant 'zzz'"),
        ("/api/workspaces/demo/metrics?metrics=followers&from=2026-13-01", 400,
         "from: '2026-13-01' is not a date"),
        ("/api/workspaces/demo/metrics?metrics=followers&to=yesterday", 400,
         "to: 'yesterday' is not a date"),
        ("/api/workspaces/demo/metrics?metrics=followers&from=2026-05-01&to=2026-04-01", 400,
         "from 2026-05-01 is after to 2026-04-01"),
        ("/api/workspaces/demo/metrics?metrics=followers&period=2026-Q7", 400,
         "period: '2026-Q7' is not a period"),
        ("/api/workspaces/demo/metrics?metrics=followers&period=2026-Q3&from=2026-01-01", 400,
         "either period or from/to"),
        ("/api/workspaces/demo/metrics?metrics=followers&by=planet", 400,
         "by: unknown breakdown 'planet'"),
        ("/api/workspaces/demo/metrics?metrics=followers&scope=mine", 400,
         "scope: unknown value 'mine'"),
        ("/api/workspaces/demo/metrics?metrics=followers&brand=Nope", 400,
         "brand: no brand 'Nope' in workspace 'demo'"),
        ("/api/workspaces/demo/metrics?metrics=followers&by=week,month", 400,
         "only one time grain"),
        ("/api/workspaces/demo/metrics?metrics=followers&networks=myspace", 400,
         "networks: unknown value 'myspace'"),
        ("/api/workspaces/demo/metrics?metrics=followers&format=xml", 400,
         "query parameter 'format'"),
        ("/api/workspaces/demo/overview?period=someday", 400, "period: 'someday'"),
        ("/api/workspaces/demo/overview?from=2026-02-30", 400, "from: '2026-02-30'"),
        ("/api/nothing-here", 404, "no such page or endpoint: /api/nothing-here"),
    ],
)
def test_bad_input_answers_one_line_json(
    client: TestClient, url: str, status: int, needle: str
) -> None:
    assert needle in error_of(client.get(url), status)


def test_compute_json_equals_the_service(client: TestClient, demo_app_ro: App) -> None:
    url = ("/api/workspaces/demo/metrics?metrics=engagement_rate,followers,engagement_rate:by_reach"
           "&by=network,week&from=2026-07-01&to=2026-09-30")
    body = client.get(url).json()
    assert body["columns"] == ["period", "network", "engagement_rate", "followers",
                               "engagement_rate:by_reach"]
    assert body["units"] == {"engagement_rate": "percent", "followers": "count",
                             "engagement_rate:by_reach": "percent"}
    assert body["period"] == "2026-07-01..2026-09-30"
    ws = demo_app_ro.workspace("demo")
    table = demo_app_ro.metrics.compute(
        ws, [("engagement_rate", None), ("followers", None), ("engagement_rate", "by_reach")],
        parse_breakdown("network,week"), DateRange(date(2026, 7, 1), date(2026, 9, 30)),
    )
    assert body["rows"] == table.records()
    assert len(body["rows"]) > 13 * 5  # 13+ weeks, several networks
    assert any("left out accounts" in n for n in body["notes"])


def test_compute_own_scope_leaves_competitors_out(client: TestClient) -> None:
    base = "/api/workspaces/demo/metrics?metrics=followers&by=account,network&period=2026-Q3"
    every = client.get(base + "&scope=all").json()["rows"]
    own = client.get(base).json()["rows"]  # own brands by default
    assert len(own) == 8 and len(every) == 14
    assert client.get(base).json()["scope"] == {
        "kind": "own", "brands": ["Acme Outdoor"], "label": "own brands (Acme Outdoor)",
        "accounts": 8}
    handles = {r["account"] for r in own}
    assert "@summitgear" not in handles and "@trailco" not in handles


def test_compute_csv_neutralises_formula_cells(client: TestClient) -> None:
    resp = client.get("/api/workspaces/demo/metrics?metrics=followers,engagement_rate"
                      "&by=account,network&period=2026-Q3&format=csv&scope=all")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert 'filename="socialpulse-demo-followers-engagement_rate.csv"' in \
        resp.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows[0] == ["account", "network", "followers", "engagement_rate", "scope"]
    assert len(rows) == 15
    handles = [r[0] for r in rows[1:]]
    # handles start with "@": a spreadsheet would run them, so they are neutralised
    assert all(not h.startswith("@") for h in handles)
    assert "'@summitgear" in handles
    assert all(float(r[2]) > 0 for r in rows[1:])  # numbers stay numbers


def test_export_neutralises_every_dangerous_prefix() -> None:
    text = to_csv(["a", "b"], [{"a": "=HYPERLINK(\"x\")", "b": "+1"}, {"a": "-2", "b": 3.5},
                               {"a": "safe", "b": None}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b"], ["'=HYPERLINK(\"x\")", "'+1"], ["'-2", "3.5"], ["safe", ""]]


def test_overview_defaults_to_90_days_of_data(client: TestClient, demo_app_ro: App) -> None:
    body = client.get("/api/workspaces/demo/overview").json()
    period = body["period"]
    end = date.fromisoformat(period["data_range"]["end"])
    assert period["preset"] == "last90"
    assert period["end"] == end.isoformat()
    assert period["start"] == (end - timedelta(days=89)).isoformat()
    assert period["previous"]["end"] == (end - timedelta(days=90)).isoformat()
    assert [k["id"] for k in body["kpis"]] == KPIS
    assert body["scope"]["label"] == "own brands (Acme Outdoor)"
    assert body["scope"]["left_out"] == ["Summit Gear", "TrailCo"]
    # the tiles are MetricsService.kpis over the own accounts, unchanged
    ws = demo_app_ro.workspace("demo")
    own = [a.id for a in demo_app_ro.store.accounts(ws.id) if a.is_own]
    rng = DateRange(date.fromisoformat(period["start"]), end)
    expected = {k["id"]: k for k in demo_app_ro.metrics.kpis(ws, rng, account_ids=own)}
    for tile in body["kpis"]:
        exp = expected[tile["id"]]
        assert tile["value"] == pytest.approx(exp["value"])
        assert tile["previous"] == pytest.approx(exp["previous"])
        assert tile["tone"] == ("good" if tile["change_pct"] > 0 else "bad")
        assert tile["formula"].startswith(tile["id"] + " = ")
        assert tile["inputs"] and all(": " in i for i in tile["inputs"])
    by_id = {k["id"]: k for k in body["kpis"]}
    assert by_id["followers"]["inputs"] == ["followers: end of account_daily.followers"]
    assert by_id["engagement_rate"]["value_text"].endswith("%")
    trends = body["trends"]
    assert trends["columns"] == ["period", "network", "impressions", "engagements",
                                 "engagement_rate", "followers"]
    assert {r["network"] for r in trends["rows"]} == {"x", "facebook", "instagram", "linkedin",
                                                      "youtube", "tiktok"}


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("period=2026-Q2", "2026-04-01", "2026-06-30"),
        ("period=2026-07-01..2026-07-31", "2026-07-01", "2026-07-31"),
        ("from=2026-03-01&to=2026-03-15", "2026-03-01", "2026-03-15"),
        ("period=custom&from=2026-03-01&to=2026-03-15", "2026-03-01", "2026-03-15"),
    ],
)
def test_overview_explicit_periods(client: TestClient, query: str, start: str, end: str) -> None:
    period = client.get(f"/api/workspaces/demo/overview?{query}").json()["period"]
    assert (period["start"], period["end"], period["preset"]) == (start, end, "custom")


def test_overview_presets_follow_the_data(client: TestClient) -> None:
    data_end = date.fromisoformat(
        client.get("/api/workspaces/demo/overview").json()["period"]["data_range"]["end"])
    month = client.get("/api/workspaces/demo/overview?period=last-month").json()["period"]
    quarter = client.get("/api/workspaces/demo/overview?period=last-quarter").json()["period"]
    d30 = client.get("/api/workspaces/demo/overview?period=last30").json()["period"]
    assert d30["end"] == data_end.isoformat()
    m_start, m_end = date.fromisoformat(month["start"]), date.fromisoformat(month["end"])
    q_start, q_end = date.fromisoformat(quarter["start"]), date.fromisoformat(quarter["end"])
    assert m_start.day == 1 and (m_end + timedelta(days=1)).day == 1 and m_end <= data_end
    assert q_start.day == 1 and q_start.month in (1, 4, 7, 10) and q_end <= data_end
    assert (q_end - q_start).days >= 89


def test_openapi_is_served_but_not_the_cdn_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/workspaces/{slug}/metrics" in schema["paths"]
    assert "MetricTableOut" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_security_headers(client: TestClient) -> None:
    resp = client.get("/api/workspaces")
    csp = resp.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_unexpected_errors_are_one_line(demo_app_ro: App) -> None:
    app = create_app(demo_app_ro.settings)

    def boom() -> None:
        raise RuntimeError("secret detail from deep inside")

    app.add_api_route("/api/boom", boom)
    app.add_api_route("/boom", boom)
    with browser_client(app, raise_server_exceptions=False) as c:
        msg = error_of(c.get("/api/boom"), 500)
        assert msg == "internal error (RuntimeError); see the server log"
        page = c.get("/boom")
        assert page.status_code == 500 and "text/html" in page.headers["content-type"]
        assert "internal error (RuntimeError)" in page.text
        assert "secret detail" not in page.text and "Traceback" not in page.text


def test_empty_workspace(empty_app: App) -> None:
    WorkspaceService(empty_app.store, empty_app.lake).create(
        local_actor(), "evil", "<script>alert(1)</script>", "UTC", ["en"])
    with browser_client(create_app(empty_app.settings), raise_server_exceptions=False) as c:
        msg = error_of(c.get("/api/workspaces/evil/overview"), 422)
        assert "has no posts yet" in msg
        page = c.get("/?workspace=evil")
        assert page.status_code == 200
        assert "No data yet" in page.text
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "no data yet" in c.get("/metrics?workspace=evil").text
        assert error_of(c.get("/api/workspaces/evil/metrics?metrics=followers"), 422)


def test_overview_cache_follows_imports(demo_app: App) -> None:
    """Tiles are cached per data version: a new import shows up at once."""
    from datetime import datetime

    import pyarrow as pa

    ws = demo_app.workspace("demo")
    own = next(a for a in demo_app.store.accounts(ws.id) if a.is_own)
    period = DateRange(date(2026, 9, 1), date(2026, 9, 30))
    before = {t["id"]: t["value"] for t in demo_app.overview.tiles(ws, period)}
    assert demo_app.overview.tiles(ws, period)[0]["value"] == before["impressions"]  # cached
    when = datetime(2026, 9, 15, 10, tzinfo=UTC)
    posts = pa.table({"account_id": [own.id], "post_id": ["cache-test-1"],
                      "published_at": [when], "local_date": [date(2026, 9, 15)],
                      "post_type": ["text"], "text": ["extra"], "url": [""], "campaign": [None]})
    snaps = pa.table({"account_id": [own.id], "post_id": ["cache-test-1"],
                      "observed_at": [datetime(2026, 9, 20, tzinfo=UTC)],
                      "impressions": [1_000_000], "engagements": [10]})
    demo_app.lake.ingest(ws.id, "test", "test", {"posts": posts, "post_snapshots": snaps})
    after = {t["id"]: t["value"] for t in demo_app.overview.tiles(ws, period)}
    assert after["impressions"] == before["impressions"] + 1_000_000
    assert after["engagements"] == before["engagements"] + 10


def test_pages_answer_html_errors(client: TestClient) -> None:
    page = client.get("/?workspace=ghost")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "workspace &#39;ghost&#39; not found (workspaces: demo)" in page.text
    bad = client.get("/metrics?metric=engagement_rate&variant=per_view")
    assert bad.status_code == 404 and "unknown variant &#39;per_view&#39;" in bad.text
    grain = client.get("/metrics?grain=year")
    assert grain.status_code == 400 and "by: unknown breakdown &#39;year&#39;" in grain.text
    assert client.get("/?period=2026-13").status_code == 400


def test_explorer_table_is_capped_but_csv_is_not(client: TestClient) -> None:
    page = client.get("/metrics?metric=posts&scope=all&entity=account&grain=day"
                      "&period=custom&from=2026-01-01&to=2026-06-30")
    assert page.status_code == 200
    table = page.text.split("data-result-table", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + 1000  # header + capped rows
    assert "Showing the first 1000 of" in page.text
    csv_text = client.get("/api/workspaces/demo/metrics?metrics=posts&by=account,network,day"
                          "&period=2026-01-01..2026-06-30&format=csv&scope=all").text
    assert len(csv_text.splitlines()) - 1 > 1000


def test_explorer_network_filter(client: TestClient) -> None:
    page = client.get("/metrics?metric=followers&entity=network&grain=&network=x&network=linkedin"
                      "&period=2026-Q3")
    assert page.status_code == 200
    table = page.text.split("data-result-table", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + 2
    assert ">X<" in table and ">LinkedIn<" in table and "TikTok" not in table
    assert "networks=x%2Clinkedin" in page.text  # the CSV link keeps the filter
    bad = client.get("/metrics?network=myspace")
    assert bad.status_code == 400 and "networks: unknown value &#39;myspace&#39;" in bad.text
