"""The Funnel page and its JSON API: seed 003's Dialogue -> Applause -> Amplification rates by
network over time, measured by the funnel service."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import Grain, parse_period
from socialpulse.services.charts import (
    axis_format,
    chart_spec,
    network_color_scale,
    tooltip_format,
)
from socialpulse.services.funnel import STAGES as FUNNEL_STAGES
from socialpulse.services.overview import PRESETS

from .common import api_workspace, page_workspace, render, sp
from .registry import NavItem, register_nav

router = APIRouter()

register_nav(NavItem("Funnel", "/funnel", order=47))


def funnel_charts(funnel: Any) -> list[dict[str, Any]]:
    charts = []
    for _, name, metric in FUNNEL_STAGES:
        points = [{"period": r["period"], "series": r["network_label"], "value": r[metric]}
                  for r in funnel.rows if r.get(metric) is not None]
        charts.append({
            "name": name,
            "metric": metric,
            "spec": chart_spec(
                "line_trend", points, y_title=f"{metric.replace('_', ' ').capitalize()} (%)",
                series_title="Network", y_format=axis_format("percent"),
                tooltip_format=tooltip_format("percent"),
                color_scale=network_color_scale(p["series"] for p in points),
                x_title="Period", description=f"{name} ({metric}) by network over time",
                height=220),
        })
    return charts


def _grain(text: str | None) -> Grain:
    value = (text or "month").strip().lower()
    if value not in ("week", "month", "quarter"):
        raise InvalidInput(f"grain: {text!r} must be week, month or quarter")
    return Grain(value)


@router.get("/funnel", response_class=HTMLResponse, include_in_schema=False)
def funnel_page(request: Request) -> HTMLResponse:
    """Seed 003's funnel over time, per network."""
    app = sp(request)
    ws = page_workspace(request)
    q = request.query_params
    ctx: dict[str, Any] = {"title": "Funnel", "presets": PRESETS, "stages": FUNNEL_STAGES}
    if app.overview.data_range(ws) is None:
        ctx["empty"] = True
        return render(request, "maturity_funnel.html", ctx, workspace=ws)
    grain = _grain(q.get("grain"))
    if q.get("period") or q.get("from") or q.get("to"):
        period = app.overview.resolve_period(ws, q.get("period") or None, q.get("from") or None,
                                             q.get("to") or None)
    else:  # default: the last twelve months of data, whole months
        rng = app.overview.data_range(ws)
        assert rng is not None
        first = date(rng.end.year - 1, rng.end.month, 1)
        period = app.overview.resolve_period(ws, "custom", max(rng.start, first).isoformat(),
                                             rng.end.isoformat())
    funnel = app.funnel.funnel(ws, period.range, grain)
    ctx.update(period=period, grain=grain.value, funnel=funnel, charts=funnel_charts(funnel))
    return render(request, "maturity_funnel.html", ctx, workspace=ws)


@router.get("/api/workspaces/{slug}/funnel", tags=["maturity"])
def api_funnel(request: Request, slug: str, period: str, grain: str = "month") -> dict[str, Any]:
    """Conversation, applause and amplification rates per network over time (seed 003)."""
    app = sp(request)
    ws = api_workspace(request, slug)
    return app.funnel.funnel(
        ws, parse_period(period, "period", date.today()), _grain(grain)).as_dict()
