"""What the report keeps between builds is never stale: per-network figures are kept per data
version (a new version asks again), chart pictures per spec (other data, another picture), and
charts start drawing while the report is built."""

from __future__ import annotations

from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.periods import parse_period
from socialpulse.services import report_render
from socialpulse.services.report_model import CHART_LISTENERS, Context, by_network
from socialpulse.services.reports import Report
from socialpulse.services.versioned import VersionedMemo
from tests.reports.conftest import REPORT_DAY

SPEC: dict[str, Any] = {
    "data": {"values": [{"x": "a", "y": 1}, {"x": "b", "y": 3}]},
    "mark": "bar",
    "encoding": {"x": {"field": "x", "type": "nominal"},
                 "y": {"field": "y", "type": "quantitative"}},
}


@pytest.fixture()
def draws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The specs vl-convert is asked to draw, from a clean picture memo."""
    seen: list[str] = []
    real = report_render._draw

    def counting(spec_json: str) -> bytes:
        seen.append(spec_json)
        return real(spec_json)

    monkeypatch.setattr(report_render, "_draw", counting)
    report_render.clear_chart_memo()
    return seen


def test_a_chart_is_drawn_once_per_spec_and_anew_for_other_data(draws: list[str]) -> None:
    first = report_render.chart_png(SPEC, 330)
    again = report_render.chart_png(SPEC, 330)
    assert first == again and first.startswith(b"\x89PNG") and len(draws) == 1
    other = {**SPEC, "data": {"values": [{"x": "a", "y": 9}, {"x": "b", "y": 1}]}}
    changed = report_render.chart_png(other, 330)
    assert len(draws) == 2 and changed != first
    report_render.chart_png(SPEC, 680)  # another width is another picture
    assert len(draws) == 3


def test_charts_are_drawn_while_the_report_is_built(demo_app_ro: App, draws: list[str],
                                                    q3_report: Report) -> None:
    """The renderer's listener sees every chart as its section is built, so render_html finds
    them all drawn or under way and draws none twice; the pictures are the same as drawn
    anew."""
    assert report_render.prefetch_chart in CHART_LISTENERS
    report = demo_app_ro.reports.build(demo_app_ro.workspace("demo"), parse_period("2026-Q3"),
                                       REPORT_DAY)
    charts = [c for s in report.sections for c in s.charts]
    assert len(charts) >= 4 and len(report_render._PNGS) == len(charts)  # all started
    html = report_render.render_html(report)
    assert len(draws) == len(charts)  # and none drawn twice
    assert html == report_render.render_html(q3_report)


def test_network_figures_are_asked_once_per_period_and_data_version(
        demo_app_ro: App, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = demo_app_ro.metrics.compute

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("period"))
        return real(*args, **kwargs)

    monkeypatch.setattr(demo_app_ro.metrics, "compute", counting)
    ws = demo_app_ro.workspace("demo")
    period = parse_period("2026-Q3")
    ids = demo_app_ro.overview.scope(ws).account_ids
    memo = VersionedMemo(8, copies=True)

    def ctx(version: tuple[Any, ...]) -> Context:
        return Context(demo_app_ro.reports.src, ws, period, REPORT_DAY, ids, "own",
                       version=version, figures=memo)

    kpis = by_network(ctx(("v1",)), ("engagements", "engagement_rate"), period)
    table = by_network(ctx(("v1",)), ("impressions", "engagements", "followers"), period)
    assert len(calls) == 1  # one query answered both sections
    assert set(next(iter(kpis.values()))) == {"network", "engagements", "engagement_rate"}
    assert {k: r["engagements"] for k, r in kpis.items()} == \
        {k: r["engagements"] for k, r in table.items()}
    by_network(ctx(("v1",)), ("impressions",), period.previous())
    assert len(calls) == 2  # another period is another question
    by_network(ctx(("v2",)), ("impressions",), period)
    assert len(calls) == 3  # new data: asked again, never the old answer
    with pytest.raises(ValueError, match="NETWORK_FIGURES"):
        by_network(ctx(("v1",)), ("posts",), period)
