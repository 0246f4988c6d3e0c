"""Report sections on performance: key figures, networks, top posts, audience, trends and
competitors. Each provider reads the services of its `Context` only and returns None when its
capability has nothing to say for the period.
"""

from __future__ import annotations

from typing import Any

from socialpulse.domain import narrative as nv
from socialpulse.domain.errors import SocialPulseError
from socialpulse.domain.formatting import format_change, format_value, one_line
from socialpulse.services.charts import chart_spec
from socialpulse.services.metrics import network_label
from socialpulse.services.report_model import (
    Chart,
    Context,
    Section,
    Table,
    by_network,
    grain_for,
    ordinal,
)

#: KPIs of the report, in the order of the KPI cards (all computed by `MetricsService.kpis`).
SUMMARY_METRICS = ("engagement_rate", "impressions", "engagements", "followers")
#: Metrics of the per-network table.
NETWORK_METRICS = ("impressions", "engagements", "engagement_rate", "followers",
                   "audience_growth_rate")


def kpi_section(ctx: Context) -> Section | None:
    """KPI cards: value, previous period, change, and the goal on the same metric if any."""
    tiles = ctx.src.overview.tiles(ctx.workspace, ctx.period)
    if not tiles or all(t["value"] is None for t in tiles):
        return None
    now = by_network(ctx, SUMMARY_METRICS, ctx.period)
    before = by_network(ctx, SUMMARY_METRICS, ctx.previous)
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
    now = by_network(ctx, NETWORK_METRICS, ctx.period)
    if not now:
        return None
    before = by_network(ctx, NETWORK_METRICS, ctx.previous)
    units = {m: ctx.src.metrics.catalogue.metric(m).variant(None).unit for m in NETWORK_METRICS}
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
    names = {m: ctx.src.metrics.catalogue.metric(m).name for m in NETWORK_METRICS}
    return Section("networks", "Networks", {"rows": shown, "metrics": NETWORK_METRICS,
                                            "names": names},
                   tables=[Table("Networks", cols, rows)], charts=charts,
                   metrics=list(NETWORK_METRICS))


#: The figure the Competitors section ranks brands by (every brand's data provides it).
COMPARE_RANK_KEY = "engagement_rate:by_followers"


def compare_section(ctx: Context) -> Section | None:
    """Own brands beside competitors (`CompareService`, the Competitors page's figures), the
    variant of each metric and why; left out when the workspace watches no competitor."""
    result = ctx.src.compare.compare(ctx.workspace, ctx.period)
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
        text = (f"{brand} ranks {ordinal(i + 1)} of {len(ranked)} brands on "
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
    trends = ctx.src.overview.trends(ctx.workspace, ctx.period, grain)
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
    page = ctx.src.posts.list(ctx.workspace, ctx.period, accounts=list(ctx.account_ids),
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
    found = [a for a in ctx.src.audience.audience(ctx.workspace, as_of=ctx.period.end)
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
