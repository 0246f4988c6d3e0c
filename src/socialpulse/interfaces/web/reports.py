"""The Reports page, the report download API, and CSV/XLSX export of the app's tables.

- an Overview panel with the report of the period shown, as PDF or spreadsheet;
- ``/reports``: choose a period and a format, preview the HTML report in a frame, download
  PDF/HTML/XLSX, and set the workspace's branding (name, colours, logo).
- ``/reports/preview``: the standalone HTML report (what the HTML download holds).
- ``/api/workspaces/{slug}/report?period=&format=``: the report file.
- ``/api/workspaces/{slug}/export?table=&format=csv|xlsx``: one generic export for the tables
  pages show (metrics explorer, goals board, audit, mentions), through `services.export`, so
  every download neutralises formula-like cells the same way.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput, MissingData, SocialPulseError
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange, parse_period
from socialpulse.domain.query import Scope
from socialpulse.services.export import to_csv, to_xlsx_table
from socialpulse.services.report_branding import MAX_LOGO_BYTES
from socialpulse.services.report_render import ReportFormat, parse_format, render_html
from socialpulse.services.report_render import render as render_report

from .common import (
    Acting,
    api_workspace,
    date_range_params,
    page_url,
    page_workspace,
    parse_by,
    parse_metric_list,
    parse_networks,
    parse_today,
    redirect_to,
    render,
    sp,
)
from .registry import NavItem, OverviewPanel, register_nav, register_overview_panel
from .scope import BrandParam, ScopeParam, api_scope
from .security import STANDALONE_DOCUMENT_CSP

router = APIRouter()
register_nav(NavItem("Reports", "/reports", order=60))


def _overview_panel(app: App, ws: Workspace, period: DateRange) -> dict[str, Any] | None:
    """The executive report of the period the Overview shows (links only: building a report
    takes seconds, so the panel never builds one)."""
    label = period_code(period)
    api = f"/api/workspaces/{ws.slug}/report"
    return {
        "text": f"The executive report of {label}: summary, KPIs, charts, goals, audit, "
                "maturity and listening, with every metric defined.",
        "items": [{"label": f"Download as {name}", "href": page_url(api, None, period=label,
                                                                    format=fmt)}
                  for fmt, name in (("pdf", "PDF"), ("xlsx", "a spreadsheet"))],
        "link": {"label": "Preview and branding", "href": page_url("/reports", ws,
                                                                    period=label)},
    }


register_overview_panel(OverviewPanel("reports", "Executive report", _overview_panel, order=90))

EXPORT_TABLES = ("metrics", "goals", "audit", "mentions", "report")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(app: App, ws: Workspace, text: str | None) -> DateRange:
    """The period asked for, or the last full quarter of data by default."""
    if text and text.strip():
        return parse_period(text, "period", date.today())
    return app.overview.resolve_period(ws, "last-quarter").range


def period_code(rng: DateRange) -> str:
    """The shortest text `parse_period` reads back: 2026-Q3, 2026-09, 2026-W37 or A..B."""
    nxt = rng.end_exclusive
    months = (nxt.year - rng.start.year) * 12 + nxt.month - rng.start.month
    if rng.start.day == 1 and nxt.day == 1:
        if months == 1:
            return f"{rng.start.year}-{rng.start.month:02d}"
        if months == 3 and rng.start.month % 3 == 1:
            return f"{rng.start.year}-Q{(rng.start.month - 1) // 3 + 1}"
    if rng.days == 7 and rng.start.weekday() == 0:
        year, week, _ = rng.start.isocalendar()
        return f"{year}-W{week:02d}"
    return rng.label()


def _filename(ws: Workspace, period: DateRange, ext: str, what: str = "report") -> str:
    raw = f"{ws.slug}-{what}-{period.start.isoformat()}_{period.end.isoformat()}.{ext}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", raw)


@router.get("/api/workspaces/{slug}/report", tags=["reports"])
def report_file(
    request: Request,
    slug: str,
    period: Annotated[str | None, Query(description="2026-Q3, 2026-09, 2026-W37 or FROM..TO "
                                        "(default: the last full quarter of data).")] = None,
    format: Annotated[str, Query(description="pdf (default), html or xlsx.")] = "pdf",
    today: Annotated[str | None, Query(description="Date of the goals' status.")] = None,
) -> Response:
    """The executive report of a workspace for a period, as a file."""
    app = sp(request)
    ws = api_workspace(request, slug)
    fmt = parse_format(format, "format")
    rng = _period(app, ws, period)
    report = app.reports.build(ws, rng, parse_today(today))
    data = render_report(report, fmt)
    disposition = "inline" if fmt is ReportFormat.HTML else "attachment"
    return Response(data, media_type=fmt.media_type, headers={
        "Content-Disposition": f'{disposition}; filename="{_filename(ws, rng, fmt.value)}"'})


@router.get("/api/workspaces/{slug}/export", tags=["reports"])
def export_table(
    request: Request,
    slug: str,
    table: Annotated[Literal["metrics", "goals", "audit", "mentions", "report"], Query(
        description="Which table: metrics (explorer: metrics, by, networks, scope), goals "
                    "(board), audit (own accounts), mentions (listening), report (every "
                    "table of the report, XLSX only).")],
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx.")] = "xlsx",
    period: Annotated[str | None, Query(description="2026-Q3, 2026-09 or FROM..TO.")] = None,
    from_: Annotated[str | None, Query(alias="from", description="First day.")] = None,
    to: Annotated[str | None, Query(description="Last day (inclusive).")] = None,
    metrics: Annotated[str | None, Query(description="metrics table: ids, comma-separated."
                                         )] = None,
    by: Annotated[str | None, Query(description="metrics table: breakdown.")] = None,
    networks: Annotated[str | None, Query(description="metrics table: networks.")] = None,
    scope: ScopeParam = None,
    brand: BrandParam = None,
) -> Response:
    """Any table the pages show, as CSV or XLSX (formula-like text cells neutralised)."""
    app = sp(request)
    ws = api_workspace(request, slug)
    rng = date_range_params(from_, to, period)
    columns, records = _table(app, ws, table, rng, metrics, by, networks,
                              api_scope(scope, brand), format)
    label = rng or DateRange(date.today(), date.today())
    name = _filename(ws, label, format, table) if rng else f"{ws.slug}-{table}.{format}"
    if format == "csv":
        return Response(to_csv(columns, records), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(to_xlsx_table(columns, records, table.capitalize()), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _table(app: App, ws: Workspace, table: str, rng: DateRange | None, metrics: str | None,
           by: str | None, networks: str | None, scope: Scope, fmt: str,
           ) -> tuple[list[str], list[dict[str, Any]]]:
    if table == "metrics":
        t = app.metrics.compute(ws, parse_metric_list(metrics), parse_by(by), rng,
                                parse_networks(networks), scope=scope)
        return [*t.dimensions, *t.metrics, "scope"], t.records(with_scope=True)
    if table == "goals":
        goal_rows: list[dict[str, Any]] = []
        for tracking in app.goals.list(ws):
            d = tracking.as_dict(detail=False)
            goal_rows.append({"id": d["id"], "title": d["title"], "metric": d["metric"],
                         "scope": d["scope"]["label"], "baseline": d["baseline"]["value"],
                         "target": d["target"]["value"], "current": d["current"]["value"],
                         "deadline": d["deadline"], "progress": d["progress"],
                         "expected": d["expected"], "status": d["status"],
                         "reason": d["reason"], "owner": d["owner"]})
        cols = ["id", "title", "metric", "scope", "baseline", "target", "current", "deadline",
                "progress", "expected", "status", "reason", "owner"]
        return cols, goal_rows
    if table == "audit":
        report = app.audit.run(ws, rng)
        cols = ["rank", "account", "network", "function", "posts_per_week", "followers",
                "audience_growth_rate", "engagement_rate", "response_rate", "verdict", "reason",
                "flags"]
        return cols, [{**a, "flags": "; ".join(a["flags"])} for a in report.accounts]
    if table == "mentions":
        rows: list[dict[str, Any]] = []
        while len(rows) < 100_000:  # the service pages by 1000
            got = app.listening.mentions(ws, rng, limit=1000, offset=len(rows))
            rows.extend({**m, "brands": ", ".join(m.get("brands", []))}
                        for m in got["mentions"])
            if len(rows) >= got["total"] or not got["mentions"]:
                break
        cols = list(rows[0]) if rows else ["mention_id", "published_at", "author", "text"]
        return cols, rows
    raise InvalidInput("table: report is exported as a whole workbook; use "
                       "/api/workspaces/{slug}/report?format=xlsx")


# -- page ---------------------------------------------------------------------------------------


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(request: Request) -> Response:
    app = sp(request)
    ws = page_workspace(request)
    q = request.query_params
    ctx: dict[str, Any] = {"title": "Reports", "brand": app.branding.view(ws),
                           "max_logo_kb": MAX_LOGO_BYTES // 1024, "message": q.get("saved")}
    period_text = (q.get("period") or "").strip()
    try:
        rng = _period(app, ws, period_text or None)
    except SocialPulseError as exc:
        ctx.update(error=exc.message, period_text=period_text)
        return render(request, "reports.html", ctx, workspace=ws,
                      status_code=400 if period_text else 200)
    ptext = period_text or period_code(rng)
    links = {f.value: page_url(f"/api/workspaces/{ws.slug}/report", None, period=ptext,
                               format=f.value) for f in ReportFormat}
    ctx.update(period=rng, period_text=ptext, links=links,
               preview=page_url("/reports/preview", ws, period=ptext),
               schedules=_schedules(app, ws))
    return render(request, "reports.html", ctx, workspace=ws)


def _schedules(app: App, ws: Workspace) -> list[Any]:
    return app.report_schedules.schedules(ws)


@router.get("/reports/preview", response_class=HTMLResponse, include_in_schema=False)
def report_preview(request: Request) -> Response:
    """The standalone HTML report, shown in the Reports page's frame."""
    app = sp(request)
    ws = page_workspace(request)
    rng = _period(app, ws, request.query_params.get("period"))
    try:
        report = app.reports.build(ws, rng)
    except MissingData as exc:
        return HTMLResponse(f"<!doctype html><p>{_esc(exc.message)}</p>", status_code=422)
    # its own policy: the report is a standalone document with inline styles and no scripts
    return HTMLResponse(render_html(report),
                        headers={"Content-Security-Policy": STANDALONE_DOCUMENT_CSP})


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


@router.post("/reports/branding", include_in_schema=False)
async def save_branding(
    request: Request,
    actor: Acting,
    name: Annotated[str, Form()] = "",
    primary: Annotated[str, Form()] = "",
    accent: Annotated[str, Form()] = "",
    logo: Annotated[UploadFile | None, File()] = None,
    remove_logo: Annotated[str, Form()] = "",
) -> Response:
    app = sp(request)
    ws = page_workspace(request)
    data = None
    if logo is not None and logo.filename:
        data = await logo.read(MAX_LOGO_BYTES + 1)
    app.branding.update(actor, ws, name=name, primary=primary or None, accent=accent or None,
                        logo=data, logo_name=logo.filename if logo and logo.filename else "logo",
                        clear_logo=bool(remove_logo))
    return redirect_to("/reports", ws, saved="Branding saved.")
