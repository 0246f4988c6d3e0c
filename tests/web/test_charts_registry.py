"""Chart specs, navigation and Overview panel registries, period presets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.domain.errors import InvalidInput, MissingData, NotFound
from socialpulse.interfaces.web.registry import (
    NAV,
    OVERVIEW_PANELS,
    NavItem,
    OverviewPanel,
    active_nav,
    register_nav,
    register_overview_panel,
)
from socialpulse.services.charts import (
    NETWORK_COLORS,
    chart_names,
    chart_params,
    chart_spec,
    network_color_scale,
    time_unit,
)
from socialpulse.services.overview import last_full_month, last_full_quarter, preset_range


def test_core_charts_are_shipped() -> None:
    assert {"line_trend", "bar_category", "kpi_sparkline"} <= set(chart_names())


def test_line_trend_fills_data_and_params() -> None:
    rows = [{"period": date(2026, 9, 7), "series": "X", "value": 1.5},
            {"period": date(2026, 9, 14), "series": "X", "value": float("nan")}]
    spec = chart_spec("line_trend", rows, title="Impressions", y_title="Impressions",
                      y_format="~s", color_scale={"domain": ["X"], "range": ["#000"]})
    assert spec["data"]["values"] == [{"period": "2026-09-07", "series": "X", "value": 1.5},
                                      {"period": "2026-09-14", "series": "X", "value": None}]
    assert spec["title"] == "Impressions"
    assert spec["encoding"]["y"]["axis"]["format"] == "~s"
    assert spec["encoding"]["color"]["scale"] == {"domain": ["X"], "range": ["#000"]}
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert "{{" not in json.dumps(spec)  # every placeholder filled
    json.dumps(spec, allow_nan=False)  # plain JSON: no NaN


def test_none_params_remove_whole_channels() -> None:
    spec = chart_spec("bar_category", [{"category": "a", "value": 1}])
    assert "color" not in spec["encoding"]  # no series: no colour channel at all
    assert all("field" in t for t in spec["encoding"]["tooltip"])
    assert len(spec["encoding"]["tooltip"]) == 2
    with_series = chart_spec("bar_category", [], series="network", series_title="Network")
    assert with_series["encoding"]["color"]["field"] == "network"
    assert len(with_series["encoding"]["tooltip"]) == 3


def test_specs_are_not_shared_between_calls() -> None:
    a = chart_spec("line_trend", [], color_scale={"domain": ["X"], "range": ["#000"]})
    a["encoding"]["color"]["scale"]["domain"].append("Y")
    b = chart_spec("line_trend", [])
    assert "scale" not in b["encoding"]["color"]
    assert chart_params("line_trend")["time_unit"] == "utcyearmonthdate"


def test_chart_errors_name_the_chart_and_parameter() -> None:
    with pytest.raises(NotFound, match="unknown chart 'pie'; charts are .*line_trend"):
        chart_spec("pie", [])
    with pytest.raises(NotFound, match="unknown chart"):
        chart_spec("../metrics", [])
    with pytest.raises(InvalidInput, match="chart line_trend: unknown parameter.*colour"):
        chart_spec("line_trend", [], colour="red")


def test_network_colours() -> None:
    scale = network_color_scale(["TikTok", "X", "X"])
    assert scale == {"domain": ["X", "TikTok"], "range": [NETWORK_COLORS["X"],
                                                          NETWORK_COLORS["TikTok"]]}
    assert network_color_scale(["Friendster"]) is None
    assert len(set(NETWORK_COLORS.values())) == len(NETWORK_COLORS)
    assert time_unit("month") == "utcyearmonth" and time_unit(None) == "utcyearmonthdate"


def test_nav_registry_is_idempotent_and_picks_the_most_specific() -> None:
    before = list(NAV)
    try:
        register_nav(NavItem("Temp", "/temp", order=55))
        register_nav(NavItem("Temp again", "/temp", order=55))
        assert [n.label for n in NAV].count("Temp again") == 1
        assert "Temp" not in [n.label for n in NAV]
        assert [n.order for n in NAV] == sorted(n.order for n in NAV)
    finally:
        NAV[:] = before
    assert active_nav("/metrics/catalogue").label == "Catalogue"  # type: ignore[union-attr]
    assert active_nav("/metrics").label == "Metrics"  # type: ignore[union-attr]
    assert active_nav("/").label == "Overview"  # type: ignore[union-attr]
    assert active_nav("/metricsx") is None


@pytest.fixture
def extra_panels() -> Iterator[None]:
    before = list(OVERVIEW_PANELS)

    def good(app: Any, ws: Any, period: Any) -> dict[str, Any]:
        return {"text": f"Period {period.label()} <b>bold?</b>",
                "items": [{"label": "Grow followers", "value": "42%", "status": "at_risk",
                           "href": "/metrics?metric=followers"}],
                "link": {"label": "All goals", "href": "/metrics"}}

    def no_data(app: Any, ws: Any, period: Any) -> dict[str, Any]:
        raise MissingData("no mentions imported yet")

    def broken(app: Any, ws: Any, period: Any) -> dict[str, Any]:
        raise ZeroDivisionError("bug")

    def hidden(app: Any, ws: Any, period: Any) -> None:
        return None

    def text_only(app: Any, ws: Any, period: Any) -> dict[str, Any]:
        return {"text": "Nothing at risk"}

    register_overview_panel(OverviewPanel("t_good", "Test good", good, order=1))
    register_overview_panel(OverviewPanel("t_nodata", "Test no data", no_data, order=2))
    register_overview_panel(OverviewPanel("t_broken", "Test broken", broken, order=3))
    register_overview_panel(OverviewPanel("t_hidden", "Test hidden", hidden, order=4))
    register_overview_panel(OverviewPanel("t_text", "Test text", text_only, order=5))
    register_overview_panel(OverviewPanel("t_tpl", "Test template", text_only, order=6,
                                          template="no_such_panel.html"))
    yield
    OVERVIEW_PANELS[:] = before


@pytest.mark.usefixtures("extra_panels")
def test_overview_panels_render_and_fail_alone(client: TestClient) -> None:
    page = client.get("/?period=2026-Q3")
    assert page.status_code == 200
    html = page.text
    assert 'data-panel="t_good"' in html
    assert "Period 2026-07-01..2026-09-30 &lt;b&gt;bold?&lt;/b&gt;" in html
    assert "Grow followers" in html and "badge-at_risk" in html and "at risk" in html
    assert 'data-panel="t_nodata"' in html and "no mentions imported yet" in html
    assert 'data-panel="t_broken"' in html
    assert "this panel could not be built (ZeroDivisionError)" in html
    assert 'data-panel="t_hidden"' not in html
    assert "Nothing at risk" in html
    assert 'data-panel="t_tpl"' in html
    assert "this panel could not be shown (TemplateNotFound)" in html
    assert html.index('data-panel="t_good"') < html.index('data-panel="t_nodata"')


@pytest.mark.parametrize(
    ("end", "month", "quarter"),
    [
        (date(2026, 10, 31), (date(2026, 10, 1), date(2026, 10, 31)),
         (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 10, 30), (date(2026, 9, 1), date(2026, 9, 30)),
         (date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31)),
         (date(2026, 10, 1), date(2026, 12, 31))),
        (date(2026, 1, 15), (date(2025, 12, 1), date(2025, 12, 31)),
         (date(2025, 10, 1), date(2025, 12, 31))),
    ],
)
def test_full_month_and_quarter(end: date, month: tuple[date, date],
                                quarter: tuple[date, date]) -> None:
    m = last_full_month(end)
    q = last_full_quarter(end)
    assert (m.start, m.end) == month
    assert (q.start, q.end) == quarter


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_presets_end_on_or_before_the_data(end: date) -> None:
    for preset, days in (("last30", 30), ("last90", 90)):
        r = preset_range(preset, end)
        assert r.end == end and r.days == days
    m, q = last_full_month(end), last_full_quarter(end)
    assert m.end <= end and q.end <= end
    assert m.start.day == 1 and q.start.day == 1 and q.start.month in (1, 4, 7, 10)
    assert 28 <= m.days <= 31 and 90 <= q.days <= 92
    assert (end - m.end).days < 31 and (end - q.end).days < 92
    with pytest.raises(InvalidInput, match="unknown preset"):
        preset_range("yesterday", end)
