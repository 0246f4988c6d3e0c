"""Report sections on the social strategy: goals and OKRs, audit highlights, maturity and
benchmark, and listening (share of voice, sentiment, alerts). Each provider reads the services
of its `Context` only and returns None when its capability has nothing to say yet.
"""

from __future__ import annotations

from socialpulse.domain import narrative as nv
from socialpulse.domain.goals import STATUS_TONE
from socialpulse.domain.maturity import stage_name
from socialpulse.services.charts import chart_spec
from socialpulse.services.report_model import Chart, Context, Section, Table, ordinal


def goals_section(ctx: Context) -> Section | None:
    """Goals with progress and status, and OKRs with their grades."""
    goals = ctx.goals()
    okrs = [o for o in ctx.src.goals.okrs(ctx.workspace, ctx.today)]
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
    report = ctx.src.audit.run(ctx.workspace, ctx.period)
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
    if ctx.src.maturity.latest(ctx.workspace) is None:
        return None
    res = ctx.src.maturity.result(ctx.workspace)
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
    s = nv.maturity_sentence(sc.mean_stage, stage_name(sc.mean_stage),
                             weakest[0].name if weakest else None, sc.weakest_stage)
    sentences = [s] if s else []
    if bench and bench[0]["percentile"] is not None:
        which = " (a synthetic benchmark)" if bench[0]["synthetic"] else ""
        sentences.append(f"Against {bench[0]['group']}{which}, the organisation sits at the "
                         f"{ordinal(round(bench[0]['percentile']))} percentile.")
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


def listening_section(ctx: Context) -> Section | None:
    """Share of voice, sentiment by brand and the alerts raised in the period."""
    svc = ctx.src.listening
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
