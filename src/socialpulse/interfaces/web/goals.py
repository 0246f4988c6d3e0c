"""Goals and OKRs on the web: JSON API, the goals board, a goal's page, OKR pages, and the
Overview's "goals at risk" panel.

Every endpoint takes an optional ``today=YYYY-MM-DD`` (default: the real date) so a demo
workspace whose data ends in the past can be evaluated as of its last day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from socialpulse.bootstrap import App
from socialpulse.domain import goals as g
from socialpulse.domain.errors import InvalidInput, SocialPulseError
from socialpulse.domain.formatting import format_value
from socialpulse.domain.goals import GoalSpec
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.charts import chart_spec, tooltip_format, unit_suffix
from socialpulse.services.goal_input import parse_key_result
from socialpulse.services.goals import Tracking

from .common import (
    Acting,
    RowId,
    api_workspace,
    json_body,
    page_url,
    page_workspace,
    redirect_to,
    render,
    request_today,
    sp,
    today_text,
)
from .registry import NavItem, OverviewPanel, register_nav, register_overview_panel

router = APIRouter()

register_nav(NavItem("Goals", "/goals", order=30))
register_nav(NavItem("OKRs", "/okrs", order=31))

Y_FORMAT = {"count": "~s", "percent": ".1f", "currency": ",.2f", "seconds": ",.0f"}


# --- JSON API ------------------------------------------------------------------------------


@router.get("/api/goal-templates", tags=["goals"])
def api_templates(request: Request, goal_type: str | None = None) -> list[dict[str, Any]]:
    """Goal templates (id ``goal_type:metric``), optionally for one goal type."""
    return sp(request).goals.templates(goal_type)


@router.get("/api/goal-types", tags=["goals"])
def api_goal_types(request: Request) -> list[dict[str, Any]]:
    """The ten goal types of seed 004 with their recommended metrics."""
    return sp(request).goals.goal_types()


@router.get("/api/workspaces/{slug}/goals", tags=["goals"])
def api_goals(request: Request, slug: str, all: bool = False) -> list[dict[str, Any]]:  # noqa: A002
    """Goals with current value, progress, forecast and status."""
    ws = api_workspace(request, slug)
    goals = sp(request).goals.list(ws, request_today(request), all)
    return [t.as_dict(detail=False) for t in goals]


@router.post("/api/workspaces/{slug}/goals", tags=["goals"], status_code=201)
async def api_create_goal(request: Request, slug: str, actor: Acting) -> JSONResponse:
    """Create a goal: ``{template?, metric, variant?, goal_type, objective, baseline_period,
    target_value? | target_change_pct?, deadline, networks?, accounts?, campaign?, owner?,
    milestones?}``."""
    ws = api_workspace(request, slug)
    spec = GoalSpec.from_mapping(await json_body(request), "body")
    t = sp(request).goals.create(actor, ws, spec, request_today(request))
    return JSONResponse(t.as_dict(), status_code=201)


@router.get("/api/workspaces/{slug}/goals/{goal_id}", tags=["goals"])
def api_goal(request: Request, slug: str, goal_id: RowId) -> dict[str, Any]:
    """One goal with SMART checks, milestones, check-ins and status history."""
    ws = api_workspace(request, slug)
    return sp(request).goals.track(ws, goal_id, request_today(request)).as_dict()


@router.post("/api/workspaces/{slug}/goals/{goal_id}/checkins", tags=["goals"],
             status_code=201)
async def api_check_in(request: Request, slug: str, goal_id: RowId,
                       actor: Acting) -> JSONResponse:
    """Check in: ``{comment, author?}``; the measured value and status are recorded."""
    body = await json_body(request)
    t = sp(request).goals.check_in(actor, api_workspace(request, slug), goal_id,
                                   str(body.get("comment") or ""),
                                   str(body.get("author") or ""), request_today(request))
    return JSONResponse(t.as_dict(), status_code=201)


@router.patch("/api/workspaces/{slug}/goals/{goal_id}", tags=["goals"])
async def api_revise(request: Request, slug: str, goal_id: RowId,
                     actor: Acting) -> dict[str, Any]:
    """Revise a goal: ``{target_value? | target_change_pct?, deadline?, milestones?, title?,
    objective?, owner?, reason?, author?}``. The change is logged as a check-in."""
    body = await json_body(request)
    reason, author = str(body.pop("reason", "") or ""), str(body.pop("author", "") or "")
    return sp(request).goals.revise(actor, api_workspace(request, slug), goal_id, body, reason,
                                    author, request_today(request)).as_dict()


@router.post("/api/workspaces/{slug}/goals/{goal_id}/archive", tags=["goals"])
def api_archive(request: Request, slug: str, goal_id: RowId, actor: Acting) -> dict[str, Any]:
    """Archive a goal: kept with its history, hidden from the board."""
    sp(request).goals.archive(actor, api_workspace(request, slug), goal_id)
    return {"id": goal_id, "archived": True}


@router.get("/api/workspaces/{slug}/okrs", tags=["okrs"])
def api_okrs(request: Request, slug: str) -> list[dict[str, Any]]:
    return sp(request).goals.okrs(api_workspace(request, slug), request_today(request))


@router.post("/api/workspaces/{slug}/okrs", tags=["okrs"], status_code=201)
async def api_create_okr(request: Request, slug: str, actor: Acting) -> JSONResponse:
    """Create an OKR: ``{title, kind?, deadline, owner?, key_results: [{template} |
    {metric, target_value | target_change_pct, ...} | {milestone}]}`` (3 to 5)."""
    body = await json_body(request)
    krs = body.get("key_results")
    if not isinstance(krs, list) or not all(isinstance(k, dict) for k in krs):
        raise InvalidInput("body: key_results must be a list of objects")
    d = sp(request).goals.add_okr(
        actor, api_workspace(request, slug), str(body.get("title") or ""), krs,
        str(body.get("deadline") or ""), str(body.get("kind") or "aspirational"),
        str(body.get("owner") or ""), request_today(request))
    return JSONResponse(d, status_code=201)


@router.get("/api/workspaces/{slug}/okrs/{objective_id}", tags=["okrs"])
def api_okr(request: Request, slug: str, objective_id: RowId) -> dict[str, Any]:
    ws = api_workspace(request, slug)
    return sp(request).goals.okr(ws, objective_id, request_today(request))


@router.post("/api/workspaces/{slug}/okrs/{objective_id}/grades", tags=["okrs"])
async def api_grade(request: Request, slug: str, objective_id: RowId,
                    actor: Acting) -> dict[str, Any]:
    """Grade a milestone key result: ``{key_result: 1-5, grade: 0.0-1.0, comment?}``."""
    body = await json_body(request)
    kr, grade = body.get("key_result"), body.get("grade")
    if not isinstance(kr, int) or isinstance(kr, bool):
        raise InvalidInput("body: key_result must be the key result's number (1 to 5)")
    if not isinstance(grade, int | float) or isinstance(grade, bool):
        raise InvalidInput("body: grade must be a number from 0.0 to 1.0")
    return sp(request).goals.grade_key_result(
        actor, api_workspace(request, slug), objective_id, kr, float(grade),
        str(body.get("comment") or ""), str(body.get("author") or ""), request_today(request))


# --- pages ---------------------------------------------------------------------------------


def goal_chart(app: App, t: Tracking) -> dict[str, Any]:
    """The goal page's Vega-Lite spec (shared chart helper, spec goal_progress)."""
    return chart_spec(
        "goal_progress", app.goals.chart_rows(t),
        y_title=f"{t.metric.name}{unit_suffix(t.unit)}, {t.goal.window_days}-day window",
        y_format=Y_FORMAT.get(t.unit, "~g"), tooltip_format=tooltip_format(t.unit),
    )


def _pct(p: float | None) -> str:
    return "n/a" if p is None else f"{p * 100:.0f}%"


def _bar(p: float | None) -> float:
    return 0.0 if p is None else max(0.0, min(1.0, p)) * 100


PAGE_HELPERS = {"pct": _pct, "bar": _bar}


def _page(request: Request) -> tuple[App, Workspace, date | None]:
    """What every goals page starts from: the app, the page's workspace and its ``?today=``."""
    return sp(request), page_workspace(request), request_today(request)


def _common(today: date | None) -> dict[str, Any]:
    """Variables every goals template uses: ``today`` (kept on its links and forms) and the
    progress formatters."""
    return {"today": today_text(today), **PAGE_HELPERS}


def _board_context(app: App, ws: Workspace, today: date | None, **extra: Any) -> dict[str, Any]:
    """The goals board; the create form's error path re-renders it with ``form_error``."""
    return {"title": "Goals", "goals": [t.as_dict(detail=False) for t in app.goals.list(ws, today)],
            "templates": app.goals.templates(), **_common(today), **extra}


def _goal_context(app: App, t: Tracking, today: date | None, **extra: Any) -> dict[str, Any]:
    """A goal's page; the revise form's error path re-renders it with ``revise_error``."""
    return {"title": t.goal.title, "g": t.as_dict(), "spec": goal_chart(app, t),
            **_common(today), **extra}


def _okrs_context(app: App, ws: Workspace, today: date | None, **extra: Any) -> dict[str, Any]:
    """The OKRs page; the new-OKR form's error path re-renders it with ``form_error``."""
    return {"title": "OKRs", "okrs": app.goals.okrs(ws, today),
            "templates": app.goals.templates(), "today": today_text(today), **extra}


@router.get("/goals", response_class=HTMLResponse, include_in_schema=False)
def goals_board(request: Request) -> HTMLResponse:
    """The board: every goal with a progress bar, expected progress, forecast and status."""
    app, ws, today = _page(request)
    return render(request, "goals_board.html", _board_context(app, ws, today), workspace=ws)


@router.post("/goals/new", include_in_schema=False)
async def goals_new(request: Request, actor: Acting) -> Response:
    """Create a goal from the board's form (template + optional overrides)."""
    app, ws, today = _page(request)
    form = await request.form()
    data: dict[str, Any] = {"template": str(form.get("template") or "") or None}
    for key in ("objective", "deadline", "owner", "baseline_period"):
        v = str(form.get(key) or "").strip()
        if v:
            data[key] = v
    change = str(form.get("target_change_pct") or "").strip().rstrip("%")
    if change:
        try:
            data["target_change_pct"] = float(change)
        except ValueError:
            raise InvalidInput(f"target change: {change!r} is not a number such as 20 or "
                               "-10") from None
    try:
        t = app.goals.create(actor, ws, GoalSpec.from_mapping(data), today)
    except SocialPulseError as exc:
        ctx = _board_context(app, ws, today, form_error=exc.message, form=data)
        return render(request, "goals_board.html", ctx, workspace=ws,
                      status_code=exc.status_code)
    return redirect_to(f"/goals/{t.goal.id}", ws, today=today_text(today))


@router.get("/goals/{goal_id}", response_class=HTMLResponse, include_in_schema=False)
def goal_page(request: Request, goal_id: RowId) -> HTMLResponse:
    """A goal: actual series, target line, projection band, milestones, SMART, check-ins."""
    app, ws, today = _page(request)
    t = app.goals.track(ws, goal_id, today)
    return render(request, "goal.html", _goal_context(app, t, today), workspace=ws)


@router.post("/goals/{goal_id}/checkin", include_in_schema=False)
async def goal_check_in(request: Request, goal_id: RowId, actor: Acting) -> Response:
    """The goal page's check-in form."""
    app, ws, today = _page(request)
    form = await request.form()
    app.goals.check_in(actor, ws, goal_id, str(form.get("comment") or ""),
                       str(form.get("author") or ""), today)
    return redirect_to(f"/goals/{goal_id}", ws, today=today_text(today))


def _number(form: Any, key: str, label: str) -> float | None:
    text = str(form.get(key) or "").strip().rstrip("%").replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{label}: {text!r} is not a number") from None


@router.post("/goals/{goal_id}/revise", include_in_schema=False)
async def goal_revise(request: Request, goal_id: RowId, actor: Acting) -> Response:
    """The goal page's Revise form: only the fields filled in change."""
    app, ws, today = _page(request)
    form = await request.form()
    try:
        changes: dict[str, Any] = {
            "target_value": _number(form, "target_value", "target value"),
            "target_change_pct": _number(form, "target_change_pct", "target change"),
        }
        for key in ("deadline", "title", "owner"):
            changes[key] = str(form.get(key) or "").strip() or None
        app.goals.revise(actor, ws, goal_id, changes, str(form.get("reason") or ""),
                         str(form.get("author") or ""), today)
    except SocialPulseError as exc:
        t = app.goals.track(ws, goal_id, today)
        ctx = _goal_context(app, t, today, revise_error=exc.message,
                            revise_form={k: str(v) for k, v in form.items()})
        return render(request, "goal.html", ctx, workspace=ws, status_code=exc.status_code)
    return redirect_to(f"/goals/{goal_id}", ws, today=today_text(today))


@router.post("/goals/{goal_id}/archive", include_in_schema=False)
def goal_archive(request: Request, goal_id: RowId, actor: Acting) -> Response:
    """The goal page's Archive button."""
    app, ws, today = _page(request)
    app.goals.archive(actor, ws, goal_id)
    return redirect_to("/goals", ws, today=today_text(today))


@router.get("/okrs", response_class=HTMLResponse, include_in_schema=False)
def okrs_page(request: Request) -> HTMLResponse:
    """Objectives with graded key results, and a form to add one."""
    app, ws, today = _page(request)
    return render(request, "okrs.html", _okrs_context(app, ws, today), workspace=ws)


@router.post("/okrs/new", include_in_schema=False)
async def okrs_new(request: Request, actor: Acting) -> Response:
    """Create an OKR from the form: key results typed as on the command line."""
    app, ws, today = _page(request)
    form = await request.form()
    texts = [str(form.get(f"kr{i}") or "").strip() for i in range(1, 6)]
    try:
        krs = [parse_key_result(t, i, "key result") for i, t in enumerate(texts, start=1) if t]
        d = app.goals.add_okr(actor, ws, str(form.get("title") or ""), krs,
                              str(form.get("deadline") or ""),
                              str(form.get("kind") or "aspirational"),
                              str(form.get("owner") or ""), today)
    except SocialPulseError as exc:
        ctx = _okrs_context(app, ws, today, form_error=exc.message,
                            form={k: str(v) for k, v in form.items()})
        return render(request, "okrs.html", ctx, workspace=ws, status_code=exc.status_code)
    return redirect_to(f"/okrs/{d['id']}", ws, today=today_text(today))


@router.get("/okrs/{objective_id}", response_class=HTMLResponse, include_in_schema=False)
def okr_page(request: Request, objective_id: RowId) -> HTMLResponse:
    app, ws, today = _page(request)
    return render(request, "okr.html", {
        "title": "OKR", "o": app.goals.okr(ws, objective_id, today), **_common(today),
    }, workspace=ws)


@router.post("/okrs/{objective_id}/grade", include_in_schema=False)
async def okr_grade(request: Request, objective_id: RowId, actor: Acting) -> Response:
    """The OKR page's grading form (milestone key results)."""
    app, ws, today = _page(request)
    form = await request.form()
    try:
        kr = int(str(form.get("key_result") or ""))
        grade = float(str(form.get("grade") or ""))
    except ValueError:
        raise InvalidInput("grade: choose a key result and a grade from 0.0 to 1.0") from None
    app.goals.grade_key_result(actor, ws, objective_id, kr, grade, str(form.get("comment") or ""),
                               str(form.get("author") or ""), today)
    return redirect_to(f"/okrs/{objective_id}", ws, today=today_text(today))


# --- Overview panel ------------------------------------------------------------------------


def goals_at_risk_panel(app: App, ws: Workspace, period: DateRange) -> dict[str, Any] | None:
    """Goals at risk or off track, worst first; hidden when the workspace has no goals."""
    goals = app.goals.list(ws)
    if not goals:
        return None
    bad = sorted((t for t in goals if t.status.value in ("at_risk", "off_track")),
                 key=lambda t: (t.status.value != "off_track", t.goal.deadline))
    link = {"label": "All goals →", "href": page_url("/goals", ws)}
    if not bad:
        return {"text": f"All {len(goals)} goals are on track or done.", "link": link}
    return {
        "items": [{"label": t.goal.title,
                   "value": f"{format_value(t.current, t.unit)} of "
                            f"{format_value(t.goal.target_value, t.unit)} by "
                            f"{t.goal.deadline.isoformat()}",
                   **g.status_display(t.status),
                   "href": page_url(f"/goals/{t.goal.id}", ws)} for t in bad[:6]],
        "link": link,
    }


register_overview_panel(OverviewPanel("goals_at_risk", "Goals at risk", goals_at_risk_panel,
                                      order=40))
