"""The Maturity pages: ``/maturity`` (profile, assessments, start or resume),
``/maturity/assess?step=N`` (one dimension per step, saved as it goes) and
``/maturity/results`` (stage, radar against the benchmark, evidence, recommendations with a
"Create goal" button), and the Overview's maturity panel. Numbers come from the services; the
radar is a Vega-Lite spec from the shared chart helper.

The maturity JSON API is `maturity_api`; the Audit and Funnel pages are `audit` and `funnel`.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from socialpulse.bootstrap import App
from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import InvalidInput, SocialPulseError
from socialpulse.domain.models import Workspace
from socialpulse.services.charts import chart_spec

from .common import Acting, page_url, page_workspace, parse_id, redirect_to, render, sp
from .maturity_api import profile_choices
from .registry import NavItem, OverviewPanel, register_nav, register_overview_panel
from .security import CSRF_FIELD

router = APIRouter()

register_nav(NavItem("Maturity", "/maturity", order=45))


def _overview_panel(app: App, ws: Workspace, period: Any) -> dict[str, Any] | None:
    """Overview block: the latest maturity stage and the first recommendation."""
    svc = app.maturity
    latest = svc.latest(ws)
    if latest is None:
        return {"text": "No maturity assessment yet.",
                "link": {"label": "Take the assessment", "href": page_url("/maturity", ws)}}
    s = svc.scores_of(latest)
    recs = mat.recommend(s, svc.recommendations, dimensions=1, per=1)
    items = [{"label": f"Stage {s.mean_stage} {mat.stage_name(s.mean_stage)} (mean)",
              "value": f"{s.overall_score:.0f}/100"},
             {"label": f"Weakest link: {mat.stage_name(s.weakest_stage)}",
              "value": ", ".join(svc.questionnaire.dimension(d).name for d in s.weakest)}]
    items += [{"label": f"Next: {r.title}", "href": page_url("/maturity/results", ws)}
              for r in recs]
    return {"items": items,
            "link": {"label": "Results and recommendations",
                     "href": page_url("/maturity/results", ws)}}


register_overview_panel(OverviewPanel("maturity", "Social maturity", _overview_panel, order=60))


# --- helpers -----------------------------------------------------------------------------------


def radar_rows(
    dimensions: list[tuple[str, str]], series: list[tuple[str, dict[str, float]]]
) -> list[dict[str, Any]]:
    """Rows for the ``maturity_radar`` chart: rings, spokes, labels and one closed polygon per
    series, as x/y on a circle of radius 100 (score 0 at the centre, 100 on the outer ring).
    Dimension i sits at angle 2*pi*i/n from the top, clockwise."""
    n = len(dimensions)

    def xy(i: int, r: float) -> tuple[float, float]:
        a = 2 * math.pi * i / n
        return round(r * math.sin(a), 3), round(r * math.cos(a), 3)

    rows: list[dict[str, Any]] = []
    for ring in (20, 40, 60, 80, 100):
        for i in range(n + 1):
            x, y = xy(i % n, ring)
            rows.append({"kind": "ring", "group": f"r{ring}", "order": i, "x": x, "y": y})
        rows.append({"kind": "ring_label", "x": 0, "y": ring, "label": str(ring)})
    for i, (_, name) in enumerate(dimensions):
        for j, r in enumerate((0, 100)):
            x, y = xy(i, r)
            rows.append({"kind": "spoke", "group": f"s{i}", "order": j, "x": x, "y": y})
        x, y = xy(i, 118)
        rows.append({"kind": "label", "x": x, "y": y, "label": name})
    for label, scores in series:
        for i in range(n + 1):
            dim_id, name = dimensions[i % n]
            score = scores.get(dim_id)
            if score is None:
                continue
            x, y = xy(i % n, score)
            rows.append({"kind": "series", "series": label, "dimension": name, "order": i,
                         "score": round(score, 1), "x": x, "y": y})
    return rows


RADAR_COLORS = ["#2563eb", "#f59e0b", "#9ca3af"]


def radar_spec(
    questionnaire: mat.Questionnaire, series: list[tuple[str, dict[str, float]]]
) -> dict[str, Any]:
    dims = [(d.id, _short(d.name)) for d in questionnaire.dimensions]
    names = [label for label, _ in series]
    return chart_spec(
        "maturity_radar", radar_rows(dims, series), color_domain=names,
        color_range=RADAR_COLORS[: len(names)],
        description="Maturity score by dimension (0-100): " + ", ".join(names),
    )


def _short(name: str) -> str:
    return name.split(" and ")[0] if len(name) > 18 else name


# --- Maturity: home, profile, wizard, results ----------------------------------------------------


@router.get("/maturity", response_class=HTMLResponse, include_in_schema=False)
def maturity_home(request: Request) -> HTMLResponse:
    app = sp(request)
    ws = page_workspace(request)
    svc = app.maturity
    assessments = svc.assessments(ws)
    latest = next((a for a in assessments if a.status == "complete"), None)
    draft = next((a for a in assessments if a.status == "draft"), None)
    ctx: dict[str, Any] = {
        "title": "Maturity",
        "profile": svc.profile(ws),
        "assessments": assessments,
        "latest": latest,
        "latest_scores": svc.scores_of(latest).as_dict() if latest else None,
        "draft": draft,
        "questionnaire": svc.questionnaire,
        "stages": mat.STAGES,
        "packs": svc.packs(),
        **profile_choices(),
    }
    return render(request, "maturity_home.html", ctx, workspace=ws)


@router.post("/maturity/profile", include_in_schema=False, response_model=None)
async def maturity_profile(request: Request, actor: Acting) -> RedirectResponse:
    app = sp(request)
    ws = page_workspace(request)
    form = await request.form()
    app.maturity.set_profile(actor, ws, str(form.get("industry") or ""),
                             str(form.get("size_band") or ""), str(form.get("region") or ""),
                             str(form.get("name") or ""))
    return redirect_to("/maturity", ws)


def _step(request: Request, n_steps: int) -> int:
    raw = request.query_params.get("step") or "1"
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= n_steps:
        raise InvalidInput(f"step: {raw!r} must be 1 to {n_steps}")
    return int(raw)


def _render_step(
    request: Request, app: App, ws: Workspace, step: int, error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    svc = app.maturity
    q = svc.questionnaire
    draft = svc.open_draft(ws)  # viewing a step never creates a draft; saving one does
    answers = draft.answers if draft else {}
    dim = q.dimensions[step - 1]
    done = {d.id: all(x.id in answers for x in q.questions_of(d.id)) for d in q.dimensions}
    questions = q.questions_of(dim.id)
    # what the workspace's data says, shown beside the questions it can evidence
    facts = svc.evidence(ws) if any(x.evidence for x in questions) else {}
    hints = {}
    for x in questions:
        fact = facts.get(x.evidence.source) if x.evidence else None
        if x.evidence and fact is not None and fact.value is not None:
            level = x.evidence.supported_level(fact.value)
            hints[x.id] = (f"Your data: {fact.shown} {fact.description} ({fact.detail}), "
                           f"consistent with level {level} ({mat.stage_name(level)}) or below")
    ctx = {
        "title": f"{dim.name} · Assessment",
        "answers": answers,
        "step": step,
        "steps": len(q.dimensions),
        "dimension": dim,
        "dimensions": q.dimensions,
        "done": done,
        "questions": questions,
        "hints": hints,
        "stages": mat.STAGES,
        "error": error,
        "answered": len(answers),
        "total": len(q.questions),
    }
    return render(request, "maturity_step.html", ctx, workspace=ws, status_code=status_code)


@router.get("/maturity/assess", response_class=HTMLResponse, include_in_schema=False)
def maturity_step(request: Request) -> HTMLResponse:
    """One dimension per step; answers are saved on every step, so the assessment resumes."""
    app = sp(request)
    ws = page_workspace(request)
    steps = len(app.maturity.questionnaire.dimensions)
    return _render_step(request, app, ws, _step(request, steps))


@router.post("/maturity/assess", include_in_schema=False, response_model=None)
async def maturity_save_step(request: Request, actor: Acting
                             ) -> HTMLResponse | RedirectResponse:
    app = sp(request)
    ws = page_workspace(request)
    svc = app.maturity
    q = svc.questionnaire
    step = _step(request, len(q.dimensions))
    form = await request.form()
    draft = svc.draft(actor, ws)
    answers = {k: str(v) for k, v in form.items() if k in q.question_ids}
    unknown = [k for k in form if k not in q.question_ids
               and k not in ("action", "workspace", CSRF_FIELD)]
    if unknown:
        raise InvalidInput(f"answers.{unknown[0]}: unknown question")
    svc.save_answers(actor, ws, draft.id, answers)
    action = str(form.get("action") or "next")
    if action == "back":
        return redirect_to("/maturity/assess", ws, step=max(1, step - 1))
    if action == "finish":
        try:
            result = svc.complete(actor, ws, draft.id)
        except InvalidInput as exc:
            first_missing = next(
                (i for i, d in enumerate(q.dimensions, start=1)
                 if any(x.id not in svc.draft(actor, ws).answers
                        for x in q.questions_of(d.id))),
                step,
            )
            return _render_step(request, app, ws, first_missing, error=exc.message,
                                status_code=400)
        return redirect_to("/maturity/results", ws, id=result.assessment.id)
    if action == "save":
        return redirect_to("/maturity", ws, saved=1)
    nxt = min(len(q.dimensions), step + 1)
    return redirect_to("/maturity/assess", ws, step=nxt)


@router.get("/maturity/results", response_class=HTMLResponse, include_in_schema=False)
def maturity_results(request: Request) -> HTMLResponse:
    app = sp(request)
    ws = page_workspace(request)
    raw = request.query_params.get("id")
    svc = app.maturity
    result = svc.result(ws, parse_id(raw, "id") if raw else None)
    data = result.as_dict(svc.questionnaire)
    series = [("Your organisation", result.scores.by_dimension())]
    pack = next((b for b in data["benchmarks"] if b.get("source") == "pack"), None)
    if pack:
        medians = {r["dimension"]: r["median"] for r in pack["rows"]
                   if r["median"] is not None and r["dimension"] != mat.OVERALL}
        if medians:
            label = "Benchmark median" + (" (synthetic demo data)" if pack["synthetic"] else "")
            series.append((label, medians))
    if result.previous is not None:
        series.append(("Previous assessment", svc.scores_of(result.previous).by_dimension()))
    templates = _goal_templates(app)
    ctx = {
        "title": "Maturity results",
        "r": data,
        "radar": radar_spec(svc.questionnaire, series),
        "stages": mat.STAGES,
        "questions": {x.id: x for x in svc.questionnaire.questions},
        "dimension_names": {d.id: d.name for d in svc.questionnaire.dimensions},
        "goal_templates": templates,
        "created_goal": request.query_params.get("goal"),
        "goal_error": request.query_params.get("goal_error"),
        **profile_choices(),
    }
    return render(request, "maturity_results.html", ctx, workspace=ws)


def _goal_templates(app: App) -> dict[str, str]:
    """Goal template titles by id, when the goals feature is installed."""
    try:
        cat = app.goals.goal_catalogue
        return {t.id: t.title for t in cat.templates.values()}
    except (AttributeError, SocialPulseError):
        return {}


@router.post("/maturity/goal", include_in_schema=False)
async def maturity_goal(request: Request, actor: Acting) -> RedirectResponse:
    """Turn a recommendation into a SMART goal through the goals service."""
    app = sp(request)
    ws = page_workspace(request)
    form = await request.form()
    template = str(form.get("template") or "")
    back = str(form.get("assessment") or "")
    known = {r.goal_template for r in app.maturity.recommendations}
    if template not in known:
        raise InvalidInput(f"template: {template!r} is not a recommendation's goal template")
    try:
        tracking = app.goals.create_from_template(actor, ws, template)
    except SocialPulseError as exc:  # e.g. no data for the metric yet: say so on the page
        return redirect_to("/maturity/results", ws, id=back or None, goal_error=exc.message)
    return redirect_to("/maturity/results", ws, id=back or None, goal=tracking.goal.id)
