"""The executive report: sections gathered from every capability, ready to render.

A report is a list of sections, each built by a small *provider* registered in `SECTIONS`. A
provider reads numbers from the services only (metrics, overview, goals, audit, maturity,
listening) and returns ``None`` when its capability has nothing to say yet (no goals, no
assessment, no mentions): the report grows with the product and never breaks on a missing or
empty capability. A provider that fails unexpectedly is left out with a note (logged), so one
feature's bug cannot take the whole executive report down.

Each section carries its sentences for the executive summary (templates in
`socialpulse.domain.narrative`), its tables (the spreadsheet export writes one sheet each), its
Vega-Lite charts (the same specs as the web, `services.charts`) and the metric ids it used (the
appendix defines each one with its formula).

Rendering to HTML, PDF and XLSX lives in `services.report_render`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from socialpulse.domain import narrative as nv
from socialpulse.domain.errors import SocialPulseError
from socialpulse.domain.formatting import format_change, format_value, one_line
from socialpulse.domain.goals import STATUS_TONE
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import Breakdown
from socialpulse.services.charts import chart_spec
from socialpulse.services.metrics import display_formula, network_label

if TYPE_CHECKING:
    from socialpulse.bootstrap import App
    from socialpulse.services.report_branding import BrandingView

log = logging.getLogger("socialpulse.reports")

#: KPIs of the report, in the order of the KPI cards (all computed by `MetricsService.kpis`).
SUMMARY_METRICS = ("engagement_rate", "impressions", "engagements", "followers")
#: Metrics of the per-network table.
NETWORK_METRICS = ("impressions", "engagements", "engagement_rate", "followers",
                   "audience_growth_rate")


@dataclass
class Table:
    """A table of a section: shown in the HTML/PDF and written as one sheet of the XLSX."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    headers: dict[str, str] = field(default_factory=dict)  # column -> human header


@dataclass
class Chart:
    """A Vega-Lite chart with its title (rendered to SVG for the report)."""

    title: str
    spec: dict[str, Any]
    wide: bool = True


@dataclass
class Section:
    id: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)


@dataclass
class Report:
    workspace: Workspace
    branding: BrandingView
    period: DateRange
    previous: DateRange
    title: str
    period_title: str
    generated_on: date
    scope: str
    sections: list[Section]
    notes: list[str]
    appendix: list[dict[str, Any]]

    @property
    def summary(self) -> list[str]:
        return [s for sec in self.sections for s in sec.summary]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def tables(self) -> list[Table]:
        """Every table, for the spreadsheet: the summary first, the metric definitions last."""
        head = Table("Summary", ["item", "value"], [
            {"item": "Report", "value": self.title},
            {"item": "Workspace", "value": self.branding.name},
            {"item": "Period", "value": self.period.label()},
            {"item": "Compared with", "value": self.previous.label()},
            {"item": "Scope", "value": self.scope},
            {"item": "Generated on", "value": self.generated_on.isoformat()},
            *({"item": f"Summary {i}", "value": s} for i, s in enumerate(self.summary, 1)),
        ])
        defs = Table("Metric definitions", ["id", "name", "formula", "unit", "description"],
                     self.appendix)
        return [head, *(t for s in self.sections for t in s.tables), defs]


@dataclass
class Context:
    """What every provider gets: the app, the workspace, the period and the report date."""

    app: App
    workspace: Workspace
    period: DateRange
    today: date
    account_ids: tuple[int, ...]
    scope: str
    colour: str = "#0f766e"  # the brand's primary colour, for single-colour charts
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def previous(self) -> DateRange:
        return self.period.previous()

    def goals(self) -> list[Any]:
        """Tracked goals (memoised: the KPI and goal sections both use them)."""
        if "goals" not in self.memo:
            self.memo["goals"] = [t for t in self.app.goals.list(self.workspace, self.today)
                                  if not t.goal.archived]
        return list(self.memo["goals"])


Provider = Callable[[Context], Section | None]


def grain_for(period: DateRange) -> Grain:
    """Daily points for a month or less, weekly up to a half year, monthly beyond."""
    if period.days <= 35:
        return Grain.DAY
    if period.days <= 190:
        return Grain.WEEK
    return Grain.MONTH


def _by_network(ctx: Context, metrics: Sequence[str], period: DateRange,
                ) -> dict[str, dict[str, Any]]:
    table = ctx.app.metrics.compute(
        ctx.workspace, [(m, None) for m in metrics], breakdown=Breakdown(entities=("network",)),
        period=period, account_ids=ctx.account_ids, allow_empty=True)
    return {network_label(str(r["network"])): r for r in table.rows}


# -- providers -----------------------------------------------------------------------------------


def kpi_section(ctx: Context) -> Section | None:
    """KPI cards: value, previous period, change, and the goal on the same metric if any."""
    tiles = ctx.app.overview.tiles(ctx.workspace, ctx.period)
    if not tiles or all(t["value"] is None for t in tiles):
        return None
    now = _by_network(ctx, SUMMARY_METRICS, ctx.period)
    before = _by_network(ctx, SUMMARY_METRICS, ctx.previous)
    try:
        goals = ctx.goals()
    except SocialPulseError:
        goals = []
    by_metric: dict[str, list[Any]] = {}
    for t in goals:
        by_metric.setdefault(t.goal.metric, []).append(t)
    cards, rows, sentences = [], [], []
    for tile in tiles:
        metric_goals = by_metric.get(tile["id"], [])
        goal_text = "; ".join(
            f"target {t.fmt(t.goal.target_value)} by {t.goal.deadline.isoformat()} "
            f"({t.status.label.lower()})" for t in metric_goals[:2]) or None
        cards.append({**{k: tile[k] for k in ("id", "name", "unit", "value", "previous",
                                              "change_pct", "tone", "formula")},
                      "value_text": tile["value_text"], "previous_text": tile["previous_text"],
                      "change_text": tile["change_text"], "goal": goal_text})
        rows.append({"metric": tile["name"], "value": tile["value"],
                     "previous": tile["previous"], "change_pct": tile["change_pct"],
                     "unit": tile["unit"], "goal": goal_text or ""})
    tile_by_id = {t["id"]: t for t in tiles}
    for mid in SUMMARY_METRICS:
        if mid not in tile_by_id:
            continue
        tile = tile_by_id[mid]
        contrib = [nv.Contribution(label, before.get(label, {}).get(mid), r.get(mid))
                   for label, r in now.items()]
        s = nv.change_sentence(tile["name"], tile["unit"], tile["previous"], tile["value"],
                               contrib)
        if s:
            sentences.append(s)
    return Section(
        "kpis", "Key figures", {"cards": cards, "previous": ctx.previous.label()},
        summary=sentences,
        tables=[Table("KPIs", ["metric", "value", "previous", "change_pct", "unit", "goal"],
                      rows, {"change_pct": "change %"})],
        metrics=[t["id"] for t in tiles],
    )


def network_section(ctx: Context) -> Section | None:
    """Each network's figures against the previous period, and engagements by network."""
    now = _by_network(ctx, NETWORK_METRICS, ctx.period)
    if not now:
        return None
    before = _by_network(ctx, NETWORK_METRICS, ctx.previous)
    units = {m: ctx.app.metrics.catalogue.metric(m).variant(None).unit for m in NETWORK_METRICS}
    rows, shown = [], []
    for label in sorted(now, key=lambda n: -(now[n].get("engagements") or 0)):
        r, p = now[label], before.get(label, {})
        rec: dict[str, Any] = {"network": label}
        disp: dict[str, Any] = {"network": label}
        for m in NETWORK_METRICS:
            cur, prev = r.get(m), p.get(m)
            rec[m] = cur
            rec[f"{m}_previous"] = prev
            change = (cur - prev) / abs(prev) * 100 if cur is not None and prev else None
            disp[m] = format_value(cur, units[m])
            disp[f"{m}_change"] = format_change(change) if change is not None else ""
        rows.append(rec)
        shown.append(disp)
    cols = ["network", *[c for m in NETWORK_METRICS for c in (m, f"{m}_previous")]]
    bars = [{"network": r["network"], "engagements": r["engagements"]} for r in rows
            if r.get("engagements") is not None]
    charts = []
    if bars:
        charts.append(Chart("Engagements by network", chart_spec(
            "bar_category", bars, category="network", value="engagements",
            value_title="Engagements", category_title="", value_format="~s", color=ctx.colour,
            tooltip_format=",.0f", description="Engagements by network in the period",
            title="Engagements by network"), wide=False))
    names = {m: ctx.app.metrics.catalogue.metric(m).name for m in NETWORK_METRICS}
    return Section("networks", "Networks", {"rows": shown, "metrics": NETWORK_METRICS,
                                            "names": names},
                   tables=[Table("Networks", cols, rows)], charts=charts,
                   metrics=list(NETWORK_METRICS))


#: The figure the Competitors section ranks brands by (every brand's data provides it).
COMPARE_RANK_KEY = "engagement_rate:by_followers"


def compare_section(ctx: Context) -> Section | None:
    """Own brands beside competitors (`CompareService`, the Competitors page's figures), the
    variant of each metric and why; left out when the workspace watches no competitor."""
    result = ctx.app.compare.compare(ctx.workspace, ctx.period)
    if all(b["own"] for b in result.brands):
        return None
    rows = result.formatted()
    table_rows = [{"metric": m["name"], **{r["brand"]: r[m["key"]] for r in rows},
                   "why": m["why"]} for m in result.metrics]
    ranked = [(b["brand"], b["own"], b["values"].get(COMPARE_RANK_KEY))
              for b in result.brands if b["values"].get(COMPARE_RANK_KEY) is not None]
    ranked.sort(key=lambda x: -float(x[2] or 0))
    sentences = []
    own = [i for i, (_, is_own, _) in enumerate(ranked) if is_own]
    name = next((m["name"] for m in result.metrics if m["key"] == COMPARE_RANK_KEY), "")
    if own and len(ranked) > 1:
        i = own[0]
        brand, _, value = ranked[i]
        text = (f"{brand} ranks {_ordinal(i + 1)} of {len(ranked)} brands on "
                f"{name.lower()} ({format_value(value, 'percent')})")
        if i > 0:
            text += f", behind {ranked[0][0]} ({format_value(ranked[0][2], 'percent')})"
        sentences.append(text + ".")
    charts = []
    if ranked:
        bars = [{"brand": b, "value": v, "kind": "own brand" if o else "competitor"}
                for b, o, v in ranked]
        charts.append(Chart(f"{name} (%)", chart_spec(
            "bar_category", bars, category="brand", value="value", value_title=f"{name} (%)",
            value_format=".1f", tooltip_format=".1f", title=f"{name} (%)",
            description=f"{name} by brand", color=None, series="kind", series_title="",
            color_scale={"domain": ["own brand", "competitor"],
                         "range": [ctx.colour, "#9ca3af"]}), wide=False))
    return Section(
        "competitors", "Competitors",
        {"brands": [r["brand"] for r in rows], "own": [r["brand"] for r in rows
                                                       if r["own"] == "own"],
         "rows": table_rows, "notes": result.notes, "scope": result.scope.label},
        summary=sentences,
        tables=[Table("Competitors", ["metric", *(r["brand"] for r in rows), "why"],
                      table_rows)],
        charts=charts,
        metrics=list(dict.fromkeys(m["key"].partition(":")[0] for m in result.metrics)))


def trend_section(ctx: Context) -> Section | None:
    """The Overview's trend charts (metric by network over the period), same specs."""
    grain = grain_for(ctx.period)
    trends = ctx.app.overview.trends(ctx.workspace, ctx.period, grain)
    charts = [Chart(c["title"], c["spec"]) for c in trends["charts"] if c["points"] > 1]
    if not charts:
        return None
    for c in charts:
        c.spec["title"] = c.title
    return Section("trends", "Trends", {"grain": grain.value},
                   tables=[Table(f"Trends ({grain.value})", trends["columns"], trends["rows"])],
                   charts=charts, metrics=[c["id"] for c in trends["charts"]])


TOP_POSTS = 5
TOP_POST_COLUMNS = ["day", "account", "post", "impressions", "engagements", "engagement_rate"]


def top_posts_section(ctx: Context) -> Section | None:
    """What worked: the own accounts' best posts of the period by engagements (the same list
    as the Posts page)."""
    page = ctx.app.posts.list(ctx.workspace, ctx.period, accounts=list(ctx.account_ids),
                              sort="engagements", limit=TOP_POSTS)
    rows = [r for r in page.rows if r["engagements"] is not None]
    if not rows:
        return None

    table = [{"day": r["local_date"].isoformat(),
              "account": f"{network_label(r['network'])} {r['account']}",
              "post": one_line(r["text"], 90) or r["post_id"], "impressions": r["impressions"],
              "engagements": r["engagements"], "engagement_rate": r["engagement_rate"]}
             for r in rows]
    best = table[0]
    rate = (f", an engagement rate of {format_value(best['engagement_rate'], 'percent')}"
            if best["engagement_rate"] is not None else "")
    summary = [f"Best post: {best['account']}, \u201c{one_line(rows[0]['text'], 60)}\u201d "
               f"({best['day']}), with {format_value(best['engagements'], 'count')} "
               f"engagements{rate}."]
    return Section("top_posts", "Top posts", {"posts": table, "total": page.total},
                   summary=summary,
                   tables=[Table("Top posts", TOP_POST_COLUMNS, table)],
                   metrics=["engagements", "impressions", "engagement_rate"])


AUDIENCE_TOP = 5
AUDIENCE_COLUMNS = ["account", "dimension", "as_of", "value", "count", "share"]


def audience_section(ctx: Context) -> Section | None:
    """Who the own accounts reach: each account's latest audience breakdowns as of the
    period's end (the same as the Audience page), the largest values of each."""
    found = [a for a in ctx.app.audience.audience(ctx.workspace, as_of=ctx.period.end)
             if a.account.id in ctx.account_ids]
    if not found:
        return None
    rows, summary = [], []
    for acc in found:
        for b in acc.breakdowns:
            for sl in b.slices[:AUDIENCE_TOP]:
                rows.append({"account": acc.label, "dimension": b.dimension,
                             "as_of": b.day.isoformat(), "value": sl.value, "count": sl.count,
                             "share": None if sl.share is None else 100 * sl.share})
        top = [f"{b.dimension} led by {b.slices[0].value}"
               + (f" ({format_value(100 * b.slices[0].share, 'percent')})"
                  if b.slices[0].share is not None else "")
               for b in acc.breakdowns[:3] if b.slices]
        if top:
            summary.append(f"Audience of {acc.label}: {'; '.join(top)}.")
    return Section("audience", "Audience", {"rows": rows, "top": AUDIENCE_TOP},
                   summary=summary[:3], tables=[Table("Audience", AUDIENCE_COLUMNS, rows)])


def goals_section(ctx: Context) -> Section | None:
    """Goals with progress and status, and OKRs with their grades."""
    goals = ctx.goals()
    okrs = [o for o in ctx.app.goals.okrs(ctx.workspace, ctx.today)]
    if not goals and not okrs:
        return None
    rows = []
    for t in goals:
        rows.append({
            "goal": t.goal.title, "metric": t.metric.name, "scope": t.scope_label,
            "baseline": t.fmt(t.goal.baseline_value), "target": t.fmt(t.goal.target_value),
            "current": t.fmt(t.current), "deadline": t.goal.deadline.isoformat(),
            "progress": None if t.progress is None else round(t.progress * 100, 1),
            "expected": round(t.expected * 100, 1), "status": t.status.label,
            "status_id": t.status.value, "tone": STATUS_TONE[t.status], "reason": t.reason,
        })
    counts = {s: sum(1 for t in goals if t.status.value == s)
              for s in ("on_track", "at_risk", "off_track")}
    sentences = []
    s = nv.goals_sentence(counts["on_track"], counts["at_risk"], counts["off_track"],
                          len(goals) - sum(counts.values()))
    if s:
        sentences.append(s)
    okr_rows = []
    for o in okrs:
        for kr in o["key_results"]:
            okr_rows.append({"objective": o["title"], "kind": o["kind"],
                             "objective_grade": o["grade_text"],
                             "key_result": kr["title"], "grade": kr["grade_text"],
                             "colour": kr["colour"], "detail": kr.get("display", "")})
    return Section(
        "goals", "Goals and OKRs",
        {"goals": rows, "okrs": okrs, "as_of": ctx.today.isoformat()}, summary=sentences,
        tables=[Table("Goals", ["goal", "metric", "scope", "baseline", "target", "current",
                                "deadline", "progress", "expected", "status", "reason"], rows),
                Table("OKRs", ["objective", "kind", "objective_grade", "key_result", "grade",
                               "detail"], okr_rows)],
        metrics=sorted({t.goal.metric for t in goals}),
    )


AUDIT_COLUMNS = ["rank", "account", "network", "posts_per_week", "followers",
                 "engagement_rate", "audience_growth_rate", "verdict", "reason", "flags"]


def audit_section(ctx: Context) -> Section | None:
    """Audit highlights: the best and weakest own accounts over the period, with their flags."""
    report = ctx.app.audit.run(ctx.workspace, ctx.period, save=False)
    if not report.accounts:
        return None
    rows = [{k: a.get(k) for k in AUDIT_COLUMNS} for a in report.accounts]
    best = report.accounts[0]
    worst = report.accounts[-1]
    flagged = [a for a in report.accounts if a.get("flags")]
    highlights = [f"Best performing account: {best['account']} ({best['verdict']}: "
                  f"{best['reason']})."]
    if worst is not best:
        highlights.append(f"Needs attention: {worst['account']} ({worst['verdict']}: "
                          f"{worst['reason']}).")
    for a in flagged[:4]:
        highlights.append(f"{a['account']}: {'; '.join(a['flags'])}.")
    return Section("audit", "Audit highlights",
                   {"highlights": highlights, "accounts": report.accounts,
                    "medians": report.medians},
                   tables=[Table("Audit", AUDIT_COLUMNS, rows)],
                   metrics=["posts", "followers", "engagement_rate", "audience_growth_rate"])


def maturity_section(ctx: Context) -> Section | None:
    """Maturity stage (mean and weakest link), dimension scores, benchmark and next steps."""
    if ctx.app.maturity.latest(ctx.workspace) is None:
        return None
    res = ctx.app.maturity.result(ctx.workspace)
    sc = res.scores
    weakest = [d for d in sc.dimensions if d.dimension in sc.weakest]
    dims = [{"dimension": d.name, "score": round(d.score, 1), "stage": d.stage,
             "stage_name": d.stage_name} for d in sc.dimensions]
    bench = []
    for comp in res.comparisons:
        for row in comp.get("rows", []):
            if row.get("dimension") == "overall" and row.get("hidden") is None:
                bench.append({"benchmark": comp.get("label", ""), "group": row.get("group"),
                              "synthetic": bool(comp.get("synthetic")),
                              "n": row.get("n"), "percentile": row.get("percentile"),
                              "median": row.get("median"), "score": row.get("score")})
    from socialpulse.domain.maturity import stage_name

    s = nv.maturity_sentence(sc.mean_stage, stage_name(sc.mean_stage),
                             weakest[0].name if weakest else None, sc.weakest_stage)
    sentences = [s] if s else []
    if bench and bench[0]["percentile"] is not None:
        which = " (a synthetic benchmark)" if bench[0]["synthetic"] else ""
        sentences.append(f"Against {bench[0]['group']}{which}, the organisation sits at the "
                         f"{_ordinal(round(bench[0]['percentile']))} percentile.")
    recs = [{"title": r.title, "action": r.action} for r in res.recommendations[:3]]
    chart = Chart("Maturity by dimension (0-100)", chart_spec(
        "bar_category", dims, category="dimension", value="score", value_title="Score (0-100)",
        value_format=",.0f", tooltip_format=".1f", title="Maturity by dimension (0-100)",
        description="Maturity score by dimension", color=None, series="stage_name",
        series_title="Stage"), wide=False)
    return Section("maturity", "Maturity and benchmark", {
        "stage": sc.mean_stage, "stage_name": stage_name(sc.mean_stage),
        "score": round(sc.overall_score, 1), "weakest_stage": sc.weakest_stage,
        "weakest_stage_name": stage_name(sc.weakest_stage),
        "weakest": [d.name for d in weakest], "dimensions": dims, "benchmarks": bench,
        "recommendations": recs,
        "completed": res.assessment.completed_at.date().isoformat()
        if res.assessment.completed_at else ""},
        summary=sentences,
        tables=[Table("Maturity", ["dimension", "score", "stage", "stage_name"], dims),
                Table("Benchmark", ["benchmark", "group", "n", "percentile", "median", "score"],
                      bench)],
        charts=[chart])


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def listening_section(ctx: Context) -> Section | None:
    """Share of voice, sentiment by brand and the alerts raised in the period."""
    svc = ctx.app.listening
    if svc.data_range(ctx.workspace) is None:
        return None
    sov = svc.share_of_voice(ctx.workspace, ctx.period)
    if not sov["total"]:
        return None
    prev = svc.share_of_voice(ctx.workspace, ctx.previous)
    prev_share = {b["brand"]: b["share_of_voice"] for b in prev["brands"]}
    rows = []
    for b in sov["brands"]:
        share = b["share_of_voice"]
        rated = b.get("rated") or 0
        rows.append({
            "brand": b["brand"], "own": bool(b.get("is_own")), "mentions": b["mentions"],
            "share_of_voice": None if share is None else round(share * 100, 1),
            "previous_share": None if prev_share.get(b["brand"]) is None
            else round(prev_share[b["brand"]] * 100, 1),
            "positive_pct": round(b["positive"] / rated * 100, 1) if rated else None,
            "negative_pct": round(b["negative"] / rated * 100, 1) if rated else None,
            "net_sentiment": None if b.get("net_sentiment") is None
            else round(b["net_sentiment"] * 100, 1),
            "tagged": b.get("tagged"), "untagged": b.get("untagged"),
        })
    alerts = svc.alerts(ctx.workspace, ctx.period, mentions_per_alert=0)
    alert_rows = [{"start": a.start.isoformat(), "end": a.end.isoformat(), "brand": a.brand,
                   "kind": a.kind, "title": a.title, "status": a.status} for a in alerts]
    sentences = []
    own = [r for r in rows if r["own"]]
    leader = rows[0]["brand"] if rows else None
    if own:
        o = own[0]
        s = nv.share_of_voice_sentence(o["brand"], o["share_of_voice"], o["previous_share"],
                                       leader)
        if s:
            sentences.append(s)
        s = nv.sentiment_sentence(o["positive_pct"], o["negative_pct"])
        if s:
            sentences.append(f"For {o['brand']}, {s[0].lower()}{s[1:]}")
    s = nv.alerts_sentence(len(alerts))
    if s:
        sentences.append(s)
    bars = [{"brand": r["brand"], "share": r["share_of_voice"],
             "sentiment": "own brand" if r["own"] else "competitor"}
            for r in rows if r["share_of_voice"] is not None]
    chart = Chart("Share of voice (%)", chart_spec(
        "bar_category", bars, category="brand", value="share", value_title="Share of voice (%)",
        value_format=".0f", tooltip_format=".1f", title="Share of voice (%)",
        description="Share of voice by brand", color=None, series="sentiment", series_title="",
        color_scale={"domain": ["own brand", "competitor"], "range": [ctx.colour, "#9ca3af"]}),
        wide=False)
    return Section(
        "listening", "Listening", {"brands": rows, "alerts": alert_rows, "total": sov["total"]},
        summary=sentences,
        tables=[Table("Share of voice", list(rows[0]) if rows else ["brand"], rows),
                Table("Alerts", ["start", "end", "brand", "kind", "title", "status"],
                      alert_rows)],
        charts=[chart], metrics=[])


#: The report's sections in order: (id, provider). Features may append their own.
SECTIONS: list[tuple[str, Provider]] = [
    ("kpis", kpi_section),
    ("networks", network_section),
    ("top_posts", top_posts_section),
    ("audience", audience_section),
    ("trends", trend_section),
    ("goals", goals_section),
    ("audit", audit_section),
    ("maturity", maturity_section),
    ("competitors", compare_section),
    ("listening", listening_section),
]


class ReportService:
    """Builds a `Report` for a workspace and period; renderers turn it into files."""

    def __init__(self, app: App, clock: Callable[[], date] = date.today) -> None:
        self.app = app
        self.clock = clock

    def build(self, workspace: Workspace, period: DateRange, today: date | None = None,
              sections: Sequence[str] | None = None) -> Report:
        from socialpulse.services.report_branding import branding_view

        day = today or self.clock()
        scope = self.app.overview.scope(workspace)
        brand = branding_view(self.app, workspace)
        ctx = Context(self.app, workspace, period, day, scope.account_ids, scope.label,
                      brand.primary)
        built: list[Section] = []
        notes: list[str] = []
        for sid, provider in SECTIONS:
            if sections is not None and sid not in sections:
                continue
            try:
                sec = provider(ctx)
            except SocialPulseError as exc:  # the capability has no answer for this period
                log.info("report section %s left out: %s", sid, exc.message)
                continue
            except Exception as exc:  # one feature's failure must not sink the report
                log.exception("report section %s failed", sid)
                notes.append(f"The {sid} section could not be built ({type(exc).__name__}).")
                continue
            if sec is not None:
                built.append(sec)
        if not any(s.id in ("kpis", "networks") for s in built):
            from socialpulse.domain.errors import MissingData

            raise MissingData(f"period: workspace {workspace.slug!r} has no data in "
                              f"{period.label()}; pick a period with data")
        used: list[str] = []
        for s in built:
            used.extend(m for m in s.metrics if m not in used)
        appendix = []
        for mid in used:
            try:
                m = self.app.metrics.catalogue.metric(mid)
            except SocialPulseError:
                continue
            appendix.append({"id": m.id, "name": m.name, "unit": m.variant(None).unit,
                             "formula": f"{m.id} = {display_formula(m, None)}",
                             "description": m.description})
        ptitle = nv.describe_period(period.start, period.end)
        return Report(
            workspace=workspace, branding=brand, period=period, previous=period.previous(),
            title=f"{brand.name}: social media report, {ptitle}", period_title=ptitle,
            generated_on=day, scope=scope.label, sections=built, notes=notes,
            appendix=appendix,
        )


__all__ = ["SECTIONS", "Chart", "Context", "Report", "ReportService", "Section", "Table",
           "grain_for"]
