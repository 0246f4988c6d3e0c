"""Competitors: the JSON/CSV API and the Competitors page (own brands beside competitors).

Both call `CompareService.compare`, the same use case as `socialpulse compare`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from socialpulse.services.compare import parse_compare_metrics
from socialpulse.services.overview import PRESETS

from .common import api_workspace, page_workspace, render, sp
from .download import csv_download
from .pages_core import period_choice
from .registry import NavItem, register_nav

router = APIRouter()
register_nav(NavItem("Competitors", "/compare", order=27))


@router.get("/api/workspaces/{slug}/compare", tags=["compare"],
            responses={200: {"content": {"text/csv": {}},
                             "description": "JSON comparison, or CSV (one row per brand)."}})
def api_compare(
    request: Request,
    slug: str,
    period: Annotated[str | None, Query(description="last30, last90 (default), last-month, "
                                        "last-quarter, 2026-Q3, 2026-09 or FROM..TO.")] = None,
    metrics: Annotated[str | None, Query(description="Comma-separated metrics, METRIC:VARIANT "
                                         "for a variant (default: the per-follower and "
                                         "per-post set).")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")]
    = "json",
) -> Any:
    """Every brand, own first, on the same metrics over the period, with the variant used and
    why, and what each brand's data lacks. The scope is always every brand."""
    chosen = parse_compare_metrics(metrics)
    app = sp(request)
    ws = api_workspace(request, slug)
    rng = app.overview.resolve_period(ws, period).range
    result = app.compare.compare(ws, rng, chosen)
    if format == "csv":
        return csv_download(*result.csv(), f"socialpulse-{ws.slug}-compare.csv")
    return result.as_dict()


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request) -> HTMLResponse:
    """Own brands beside competitors: one row per metric, one column per brand."""
    app = sp(request)
    ws = page_workspace(request)
    ctx: dict[str, Any] = {"title": "Competitors", "presets": PRESETS, "result": None}
    if app.overview.data_range(ws) is None:
        return render(request, "compare.html", ctx, workspace=ws)
    chosen = period_choice(request, app, ws)
    result = app.compare.compare(ws, chosen.range)
    ctx.update(period=chosen, result=result, rows=result.formatted(),
               csv_url=f"/api/workspaces/{ws.slug}/compare?format=csv"
                       f"&period={chosen.range.label()}")
    return render(request, "compare.html", ctx, workspace=ws)
