"""Audit, Maturity (assessment wizard and results) and Funnel pages, and their JSON API.

Pages: ``/audit`` (every own account, verdicts, flags; save a run as baselines), ``/maturity``
(profile, assessments, start or resume), ``/maturity/assess?step=N`` (one dimension per step,
saved as it goes), ``/maturity/results`` (stage, radar against the benchmark, evidence,
recommendations with a "Create goal" button) and ``/funnel`` (Dialogue -> Applause ->
Amplification by network over time). Numbers come from the services; charts are Vega-Lite specs
from the shared chart helper.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from socialpulse.bootstrap import App
from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import InvalidInput, SocialPulseError
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import Grain, parse_period
from socialpulse.services.charts import (
    axis_format,
    chart_spec,
    network_color_scale,
    tooltip_format,
)
from socialpulse.services.funnel import STAGES as FUNNEL_STAGES
from socialpulse.services.funnel import FunnelService
from socialpulse.services.overview import PRESETS

from .common import (
    RowId,
    api_workspace,
    page_url,
    page_workspace,
    parse_id,
    redirect_to,
    render,
    sp,
)
from .registry import NavItem, OverviewPanel, register_nav, register_overview_panel
from .security import CSRF_FIELD

router = APIRouter()

register_nav(NavItem("Audit", "/audit", order=40))
register_nav(NavItem("Maturity", "/maturity", order=45))
register_nav(NavItem("Funnel", "/funnel", order=47))


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


# --- Audit -------------------------------------------------------------------------------------


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
        report = app.audit.run(ws, period.range, save=False).as_dict()
    ctx.update(report=report, period=period)
    ctx["labels"] = {a.id: a.label for a in app.store.accounts(ws.id)}
    return render(request, "maturity_audit.html", ctx, workspace=ws)


@router.post("/audit", include_in_schema=False)
async def audit_save(request: Request) -> RedirectResponse:
    """Run the audit for the chosen period and store it with its baselines."""
    app = sp(request)
    ws = page_workspace(request)
    form = await request.form()
    start, end = str(form.get("start") or ""), str(form.get("end") or "")
    period = parse_period(f"{start}..{end}", "period", date.today()) if start and end else None
    report = app.audit.run(ws, period, save=True)
    return redirect_to("/audit", ws, run=report.run_id)


# --- Maturity: home, profile, wizard, results ----------------------------------------------------


def _profile_choices() -> dict[str, Any]:
    """The allowed profile values, for the profile forms and the questionnaire API alike."""
    return {"industries": mat.INDUSTRIES, "size_bands": mat.SIZE_BANDS, "regions": mat.REGIONS}


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
        **_profile_choices(),
    }
    return render(request, "maturity_home.html", ctx, workspace=ws)


@router.post("/maturity/profile", include_in_schema=False, response_model=None)
async def maturity_profile(request: Request) -> RedirectResponse:
    app = sp(request)
    ws = page_workspace(request)
    form = await request.form()
    app.maturity.set_profile(ws, str(form.get("industry") or ""), str(form.get("size_band") or ""),
                             str(form.get("region") or ""), str(form.get("name") or ""))
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
async def maturity_save_step(request: Request) -> HTMLResponse | RedirectResponse:
    app = sp(request)
    ws = page_workspace(request)
    svc = app.maturity
    q = svc.questionnaire
    step = _step(request, len(q.dimensions))
    form = await request.form()
    draft = svc.draft(ws)
    answers = {k: str(v) for k, v in form.items() if k in q.question_ids}
    unknown = [k for k in form if k not in q.question_ids
               and k not in ("action", "workspace", CSRF_FIELD)]
    if unknown:
        raise InvalidInput(f"answers.{unknown[0]}: unknown question")
    svc.save_answers(ws, draft.id, answers)
    action = str(form.get("action") or "next")
    if action == "back":
        return redirect_to("/maturity/assess", ws, step=max(1, step - 1))
    if action == "finish":
        try:
            result = svc.complete(ws, draft.id)
        except InvalidInput as exc:
            first_missing = next(
                (i for i, d in enumerate(q.dimensions, start=1)
                 if any(x.id not in svc.draft(ws).answers for x in q.questions_of(d.id))),
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
        **_profile_choices(),
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
async def maturity_goal(request: Request) -> RedirectResponse:
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
        tracking = app.goals.create_from_template(ws, template)
    except SocialPulseError as exc:  # e.g. no data for the metric yet: say so on the page
        return redirect_to("/maturity/results", ws, id=back or None, goal_error=exc.message)
    return redirect_to("/maturity/results", ws, id=back or None, goal=tracking.goal.id)


# --- Funnel ------------------------------------------------------------------------------------


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
    funnel = FunnelService(app.metrics, app.store).funnel(ws, period.range, grain)
    ctx.update(period=period, grain=grain.value, funnel=funnel, charts=funnel_charts(funnel))
    return render(request, "maturity_funnel.html", ctx, workspace=ws)


# --- JSON API ----------------------------------------------------------------------------------


class ProfileIn(BaseModel):
    industry: str = Field(description=f"One of {', '.join(mat.INDUSTRIES)}")
    size_band: str = Field(description=f"One of {', '.join(mat.SIZE_BANDS)}")
    region: str = Field(description=f"One of {', '.join(mat.REGIONS)}")
    name: str = ""


class AnswersIn(BaseModel):
    answers: dict[str, Any] = Field(description="Question id -> level 1-5, every question.")
    version: int | None = None
    organisation: ProfileIn | None = None


@router.get("/api/maturity/questionnaire", tags=["maturity"])
def api_questionnaire(request: Request) -> dict[str, Any]:
    """The questionnaire: dimensions, questions, anchored answers, seeds."""
    q = sp(request).maturity.questionnaire
    return {
        "id": q.id, "version": q.version, "title": q.title, "stages": list(mat.STAGES),
        **_profile_choices(),
        "dimensions": [{"id": d.id, "name": d.name, "description": d.description,
                        "seed": d.seed} for d in q.dimensions],
        "questions": [{"id": x.id, "dimension": x.dimension, "text": x.text, "seed": x.seed,
                       "anchors": list(x.anchors),
                       "evidence": x.evidence.source if x.evidence else None}
                      for x in q.questions],
    }


def _api_audit(request: Request, slug: str, period: str | None, save: bool) -> dict[str, Any]:
    """GET and POST audit differ only in storing the run (and its baselines)."""
    ws = api_workspace(request, slug)
    rng = parse_period(period, "period", date.today()) if period else None
    return sp(request).audit.run(ws, rng, save=save).as_dict()


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


def _profile_json(p: mat.Profile | None) -> dict[str, Any]:
    """``{"profile": ...}`` as GET and PUT answer it (null before a profile is set)."""
    if p is None:
        return {"profile": None}
    return {"profile": {"name": p.name, "industry": p.industry, "size_band": p.size_band,
                        "region": p.region}}


@router.get("/api/workspaces/{slug}/maturity/profile", tags=["maturity"])
def api_profile(request: Request, slug: str) -> dict[str, Any]:
    app = sp(request)
    ws = api_workspace(request, slug)
    return _profile_json(app.maturity.profile(ws))


@router.put("/api/workspaces/{slug}/maturity/profile", tags=["maturity"])
def api_set_profile(request: Request, slug: str, body: ProfileIn) -> dict[str, Any]:
    app = sp(request)
    ws = api_workspace(request, slug)
    return _profile_json(app.maturity.set_profile(ws, body.industry, body.size_band, body.region,
                                                  body.name))


@router.post("/api/workspaces/{slug}/maturity/assessments", tags=["maturity"], status_code=201)
def api_assess(request: Request, slug: str, body: AnswersIn) -> dict[str, Any]:
    """Complete an assessment from answers (all questions, levels 1-5) and return the result."""
    app = sp(request)
    ws = api_workspace(request, slug)
    svc = app.maturity
    doc: dict[str, Any] = {"answers": body.answers,
                           "version": body.version or svc.questionnaire.version}
    if body.organisation is not None:
        doc["organisation"] = body.organisation.model_dump()
    parsed = mat.parse_answers(doc, svc.questionnaire, "body")
    if parsed.profile is not None:
        svc.set_profile(ws, parsed.profile.industry, parsed.profile.size_band,
                        parsed.profile.region, parsed.profile.name)
    draft = svc.repo.create_assessment(ws.id, svc.questionnaire.version, {}, "api")
    svc.save_answers(ws, draft.id, parsed.answers)
    return svc.complete(ws, draft.id).as_dict(svc.questionnaire)


@router.get("/api/workspaces/{slug}/maturity/assessments", tags=["maturity"])
def api_assessments(request: Request, slug: str) -> list[dict[str, Any]]:
    app = sp(request)
    ws = api_workspace(request, slug)
    return [{"id": a.id, "status": a.status, "questionnaire_version": a.questionnaire_version,
             "answered": len(a.answers), "source": a.source,
             "completed_at": a.completed_at.isoformat() if a.completed_at else None,
             "overall_score": (a.scores or {}).get("overall_score")}
            for a in app.maturity.assessments(ws)]


@router.get("/api/workspaces/{slug}/maturity/assessments/{assessment}", tags=["maturity"])
def api_result(request: Request, slug: str, assessment: str) -> dict[str, Any]:
    """A completed assessment's result (``latest`` for the newest): scores, stage, progress,
    evidence, benchmarks and recommendations."""
    app = sp(request)
    ws = api_workspace(request, slug)
    aid = None if assessment == "latest" else parse_id(assessment, "assessment")
    return app.maturity.result(ws, aid).as_dict(app.maturity.questionnaire)


@router.get("/api/maturity/benchmarks", tags=["maturity"])
def api_packs(request: Request) -> list[dict[str, Any]]:
    """Imported benchmark packs (groups under 5 organisations are counted, never shown)."""
    return [{"name": sp_.pack.name, "label": sp_.pack.label, "synthetic": sp_.pack.synthetic,
             "description": sp_.pack.description, "groups": len(sp_.pack.groups),
             "hidden_groups": sum(1 for g in sp_.pack.groups if g.n < mat.MIN_GROUP)}
            for sp_ in sp(request).maturity.packs()]


@router.get("/api/workspaces/{slug}/funnel", tags=["maturity"])
def api_funnel(request: Request, slug: str, period: str, grain: str = "month") -> dict[str, Any]:
    """Conversation, applause and amplification rates per network over time (seed 003)."""
    app = sp(request)
    ws = api_workspace(request, slug)
    return FunnelService(app.metrics, app.store).funnel(
        ws, parse_period(period, "period", date.today()), _grain(grain)).as_dict()
