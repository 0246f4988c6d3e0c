"""The core pages in a real Chromium: charts draw, numbers show, nothing leaves 127.0.0.1."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.webfixtures import LiveServer, PageLog

pytestmark = pytest.mark.browser

KPI_IDS = ["impressions", "engagements", "engagement_rate", "followers",
           "audience_growth_rate", "amplification_rate"]
TRENDS = ["impressions", "engagements", "engagement_rate", "followers"]


def wait_charts(page: Any, selector: str, count: int) -> None:
    """Wait until ``count`` charts under ``selector`` are drawn (or one failed)."""
    page.wait_for_function(
        """([sel, n]) => {
            const els = document.querySelectorAll(sel + ' [data-vega-spec]');
            if ([...els].some(e => e.hasAttribute('data-render-error'))) return true;
            return els.length >= n
                && [...els].every(e => e.getAttribute('data-rendered') === 'true');
        }""",
        arg=[selector, count],
    )
    failed = page.eval_on_selector_all(
        f"{selector} [data-render-error]", "els => els.map(e => e.dataset.renderError)")
    assert failed == []


def test_overview_tiles_and_trend_charts(
    live_server: LiveServer, page: Any, page_log: PageLog, tmp_path: Path
) -> None:
    page.goto(live_server.url + "/")
    tiles = page.locator(".tile")
    assert tiles.count() == 6
    assert [tiles.nth(i).get_attribute("data-kpi") for i in range(6)] == KPI_IDS
    for i in range(6):
        value = tiles.nth(i).locator("[data-value]").inner_text()
        assert re.search(r"\d", value), f"tile {KPI_IDS[i]} shows {value!r}"
        assert tiles.nth(i).locator("[data-change]").inner_text() != ""
    # the formula appears on hover
    first = tiles.nth(2)
    assert not first.locator(".formula").is_visible()
    first.hover()
    assert first.locator(".formula").is_visible()
    assert "engagements / impressions" in first.locator(".formula").inner_text()

    wait_charts(page, ".charts", 4)
    for metric in TRENDS:
        card = page.locator(f'[data-trend="{metric}"]')
        lines = card.locator("svg .mark-line path")
        assert lines.count() > 0, f"trend {metric} has no line"
        # one line per network with data, each with a real path
        d = lines.first.get_attribute("d") or ""
        assert len(re.findall(r"[LC]", d)) > 3, f"trend {metric}: line has too few points"
    wait_charts(page, ".kpis", 6)
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert page_log.errors == []
    assert page_log.foreign_hosts() == []
    assert any("/static/vendor/vega.min.js" in u for u in page_log.requests)


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d %b %Y")


def test_overview_period_selector(
    live_server: LiveServer, page: Any, page_log: PageLog, client: Any
) -> None:
    data_end = client.get("/api/workspaces/demo/overview").json()["period"]["data_range"]["end"]
    end = date.fromisoformat(data_end)
    page.goto(live_server.url + "/")
    default_label = page.locator(".subtitle").inner_text()
    # default: the 90 days ending on the last day with data
    assert f"{_day((end - timedelta(days=89)).isoformat())} – {_day(data_end)}" in default_label
    page.select_option("#period-select", "last-month")
    page.click(".toolbar button[type=submit]")
    page.wait_for_url(re.compile(r"period=last-month"))
    label = page.locator(".subtitle").inner_text()
    month_start, month_end = re.findall(r"\d{2} \w{3} \d{4}", label)[:2]
    assert month_start.startswith("01 ")
    assert (datetime.strptime(month_end, "%d %b %Y").date() + timedelta(days=1)).day == 1
    # custom dates appear only for "Custom"
    assert not page.locator("[data-custom-dates]").is_visible()
    page.select_option("#period-select", "custom")
    assert page.locator("[data-custom-dates]").is_visible()
    page.fill("#period-from", "2026-01-01")
    page.fill("#period-to", "2026-03-31")
    page.click(".toolbar button[type=submit]")
    page.wait_for_url(re.compile(r"from=2026-01-01"))
    assert "01 Jan 2026 – 31 Mar 2026" in page.locator(".subtitle").inner_text()
    wait_charts(page, ".charts", 4)
    assert page_log.errors == []


def test_explorer_chart_table_and_sql(
    live_server: LiveServer, page: Any, page_log: PageLog
) -> None:
    page.goto(live_server.url + "/metrics?metric=followers&entity=network&grain=month"
              "&period=custom&from=2026-01-01&to=2026-06-30")
    wait_charts(page, "#explorer", 1)
    assert page.locator("#explorer svg .mark-line path").count() > 0
    rows = page.locator("[data-result-table] tbody tr")
    assert rows.count() >= 6 * 5  # six months, several networks
    header = page.locator("[data-result-table] thead").inner_text()
    assert "Period" in header and "Network" in header and "Followers" in header
    first_value = rows.first.locator("td.num").inner_text()
    assert re.fullmatch(r"[\d,]+", first_value), first_value
    # How is this computed: formula and SQL
    page.click("[data-explain] summary")
    assert "followers" in page.locator("[data-formula]").inner_text()
    assert "SELECT" in page.locator("[data-sql]").inner_text()

    # htmx: switching to a bar breakdown swaps the section and draws bars
    page.select_option("#grain-select", "")
    page.wait_for_function(
        "() => document.querySelector('#grain-select').value === '' && "
        "document.querySelector('#explorer [data-vega-spec][data-rendered=\"true\"]')")
    page.wait_for_selector("#explorer svg .mark-rect path")
    assert page.locator("[data-result-table] thead").inner_text().count("Period") == 0
    csv_href = page.locator("[data-csv-link]").get_attribute("href") or ""
    assert "format=csv" in csv_href and "metrics=followers" in csv_href
    assert page_log.errors == []
    assert page_log.foreign_hosts() == []


def test_explorer_switching_metric_keeps_valid_variant(
    live_server: LiveServer, page: Any, page_log: PageLog
) -> None:
    page.goto(live_server.url + "/metrics?metric=engagement_rate&variant=by_reach")
    assert page.locator("#variant-select").input_value() == "by_reach"
    page.select_option("#metric-select", "impressions")
    page.wait_for_function(
        "() => document.querySelector('[data-result]')?.dataset.result === 'impressions'")
    assert page.locator("#variant-select").input_value() == "default"
    wait_charts(page, "#explorer", 1)
    assert page_log.errors == []


def test_bad_metric_shows_error_page(live_server: LiveServer, page: Any) -> None:
    response = page.goto(live_server.url + "/metrics?metric=no_such_metric")
    assert response is not None and response.status == 404
    message = page.locator(".error-message").inner_text()
    assert "unknown metric 'no_such_metric'" in message
    assert "Traceback" not in page.content()
    # navigation still works from the error page
    assert page.locator(".mainnav a").count() >= 3


def test_catalogue_lists_every_metric(live_server: LiveServer, page: Any, client: Any) -> None:
    page.goto(live_server.url + "/metrics/catalogue")
    ids = client.get("/api/metrics").json()
    rows = page.locator("[data-catalogue] tbody tr")
    assert rows.count() == len(ids)
    er = page.locator('[data-metric="engagement_rate"]').inner_text()
    assert "engagements / impressions x 100" in er
    assert "by_reach" in er and "percent" in er


def test_explorer_history_back_redraws(live_server: LiveServer, page: Any,
                                       page_log: PageLog) -> None:
    page.goto(live_server.url + "/metrics?metric=impressions&entity=network&grain=week")
    wait_charts(page, "#explorer", 1)
    page.select_option("#entity-select", "")
    page.wait_for_url(re.compile(r"entity=&"))
    wait_charts(page, "#explorer", 1)
    page.go_back()
    page.wait_for_function("() => document.querySelector('#entity-select').value === 'network'")
    wait_charts(page, "#explorer", 1)
    assert page.locator("#explorer svg .mark-line path").count() > 0
    # a live view again (tooltips work), not only the SVG of the history snapshot
    page.wait_for_function(
        "() => !!document.querySelector('#explorer [data-vega-spec]')._vegaView")
    assert page_log.errors == []
