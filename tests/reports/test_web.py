"""The Reports page, the report API and the generic table export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook


def test_reports_page_and_nav(client: TestClient) -> None:
    r = client.get("/reports?workspace=demo&period=2026-09")
    assert r.status_code == 200
    assert 'href="/reports?workspace=demo"' in r.text  # the nav entry
    assert "/api/workspaces/demo/report?period=2026-09&amp;format=pdf" in r.text
    assert "data-preview" in r.text
    bad = client.get("/reports?workspace=demo&period=2026-13")
    assert bad.status_code == 400 and "month 13 is not 01-12" in bad.text


def test_report_api_formats_and_errors(client: TestClient) -> None:
    r = client.get("/api/workspaces/demo/report?period=2026-W37&format=xlsx")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment; filename=\"demo-report-")
    wb = load_workbook(io.BytesIO(r.content))
    assert "KPIs" in wb.sheetnames
    r = client.get("/api/workspaces/demo/report?period=2026-Q3&format=docx")
    assert r.status_code == 400
    assert r.json() == {"error": {"message":
                                  "format: 'docx' is not a report format; use pdf, html or xlsx"}}
    r = client.get("/api/workspaces/demo/report?period=2031-01&format=html")
    assert r.status_code == 422 and "has no data" in r.json()["error"]["message"]
    r = client.get("/api/workspaces/nope/report?period=2026-09")
    assert r.status_code == 404


@pytest.mark.parametrize("table", ["metrics", "audit", "mentions", "goals"])
def test_export_any_table(client: TestClient, table: str) -> None:
    q = f"table={table}&period=2026-09&metrics=engagement_rate,impressions&by=network"
    csv = client.get(f"/api/workspaces/demo/export?{q}&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    xlsx = client.get(f"/api/workspaces/demo/export?{q}&format=xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in ws[1]]
    assert header == csv.text.splitlines()[0].split(",")
    if table != "goals":  # the demo has no goals: header only
        assert ws.max_row > 1
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"  # never a formula
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@"))


def test_export_errors(client: TestClient) -> None:
    r = client.get("/api/workspaces/demo/export?table=secrets")
    assert r.status_code == 400 and "table" in r.json()["error"]["message"]
    r = client.get("/api/workspaces/demo/export?table=metrics&metrics=nope")
    assert r.status_code in (400, 404) and "nope" in r.json()["error"]["message"]


@pytest.mark.browser
def test_reports_page_previews_in_the_browser(live_server: Any, page: Any,
                                              page_log: Any) -> None:
    page.set_default_timeout(60_000)
    page.goto(f"{live_server.url}/reports?workspace=demo&period=2026-W37")
    frame = page.frame_locator("iframe[data-preview]")
    frame.locator("h2", has_text="Executive summary").wait_for()
    assert frame.locator("figure.chart img").count() >= 1
    assert page.locator("a[data-download=pdf]").get_attribute("href").endswith("format=pdf")
    assert page_log.foreign_hosts() == []
    assert page_log.errors == []


@pytest.mark.parametrize("url", [
    "/metrics?workspace=demo&metric=engagement_rate&by=network&period=2026-09",
    "/audit?workspace=demo&period=2026-Q3",
    "/listening?workspace=demo&period=2026-09",
])
def test_pages_link_their_tables_as_xlsx(client: TestClient, url: str) -> None:
    import html
    import re

    page = client.get(url)
    assert page.status_code == 200
    links = [html.unescape(x) for x in re.findall(r'href="([^"]*/export\?[^"]*format=xlsx[^"]*)"',
                                                   page.text)]
    assert links, "no XLSX export link"
    got = client.get(links[0])
    assert got.status_code == 200
    assert load_workbook(io.BytesIO(got.content)).active.max_row > 1


def test_overview_panel_links_the_report_of_its_period(client: TestClient) -> None:
    import html
    import re

    page = client.get("/?workspace=demo&period=last-quarter")
    assert page.status_code == 200 and "Executive report" in page.text
    links = [html.unescape(x) for x in re.findall(r'href="(/api/workspaces/demo/report[^"]*)"',
                                                   page.text)]
    assert links and all("period=2026-Q3" in u for u in links), links
    got = client.get(next(u for u in links if "format=xlsx" in u))
    assert got.status_code == 200
    assert "Q3 2026" in load_workbook(io.BytesIO(got.content))["Summary"]["B2"].value


@pytest.mark.parametrize("text", ["2026-Q3", "2026-09", "2026-W37", "2026-07-03..2026-08-09",
                                  "2026-12-28..2027-01-03", "2027-W01"])
def test_period_codes_read_back(text: str) -> None:
    from socialpulse.domain.periods import parse_period
    from socialpulse.interfaces.web.reports import period_code

    rng = parse_period(text)
    assert parse_period(period_code(rng)) == rng
    if ".." not in text and text != "2026-12-28..2027-01-03":
        assert period_code(rng) == text
