"""The Audit page and its JSON API: every own account in one place, verdicts against the
workspace median, flags; a saved run stores baselines that goals start from."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import parse_period
from socialpulse.services.overview import PRESETS

from .common import (
    RowId,
    acting,
    api_workspace,
    page_workspace,
    parse_id,
    redirect_to,
    render,
    sp,
)
from .registry import NavItem, register_nav

router = APIRouter()

register_nav(NavItem("Audit", "/audit", order=40))


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request) -> HTMLResponse:
    """Every own account in one place: verdict against the workspace median, flags, baselines."""
    app = sp(request)
    ws = page_workspace(request)
    q = request.query_params
    runs = app.audit.runs(ws)
    ctx: dict[str, Any] = {"title": "Audit", "runs": runs, "presets": PRESETS, "saved": None}
    run_id = q.get("run")
    if run_id:
        chosen = next((r for r in runs if r.id == parse_id(run_id, "run")), None)
        if chosen is None:
            raise InvalidInput(f"run: audit run {run_id} not found in workspace {ws.slug!r}")
        report = chosen.report
        ctx["saved"] = chosen
        ctx["baselines"] = app.audit.baselines(ws, chosen.id)
        period = None
    else:
        if app.overview.data_range(ws) is None:
            ctx["empty"] = True
            return render(request, "maturity_audit.html", ctx, workspace=ws)
        period = app.overview.resolve_period(
            ws, q.get("period") or "last90", q.get("from") or None, q.get("to") or None)
        report = app.audit.run(ws, period.range).as_dict()
    ctx.update(report=report, period=period)
    ctx["labels"] = {a.id: a.label for a in app.workspaces.accounts(ws)}
    return render(request, "maturity_audit.html", ctx, workspace=ws)


@router.post("/audit", include_in_schema=False)
async def audit_save(request: Request) -> RedirectResponse:
    """Run the audit for the chosen period and store it with its baselines."""
    app = sp(request)
    ws = page_workspace(request)
    form = await request.form()
    start, end = str(form.get("start") or ""), str(form.get("end") or "")
    period = parse_period(f"{start}..{end}", "period", date.today()) if start and end else None
    report = app.audit.save(acting(request), ws, period)
    return redirect_to("/audit", ws, run=report.run_id)


def _api_audit(request: Request, slug: str, period: str | None, save: bool) -> dict[str, Any]:
    """GET and POST audit differ only in storing the run (and its baselines)."""
    ws = api_workspace(request, slug)
    rng = parse_period(period, "period", date.today()) if period else None
    audit = sp(request).audit
    return (audit.save(acting(request), ws, rng) if save else audit.run(ws, rng)).as_dict()


@router.get("/api/workspaces/{slug}/audit", tags=["maturity"])
def api_audit(request: Request, slug: str, period: str | None = None) -> dict[str, Any]:
    """Audit the own accounts (not stored; POST to store a run and its baselines)."""
    return _api_audit(request, slug, period, save=False)


@router.post("/api/workspaces/{slug}/audit", tags=["maturity"], status_code=201)
def api_audit_save(request: Request, slug: str, period: str | None = None) -> dict[str, Any]:
    return _api_audit(request, slug, period, save=True)


@router.get("/api/workspaces/{slug}/audit/baselines", tags=["maturity"])
def api_baselines(request: Request, slug: str, run: RowId | None = None) -> list[dict[str, Any]]:
    """Baselines of the latest audit run (or ``run``), for goals."""
    app = sp(request)
    ws = api_workspace(request, slug)
    return [b.as_dict() for b in app.audit.baselines(ws, run)]
