"""The core pages: Overview (``/``), Metrics explorer (``/metrics``) and the metric catalogue.

Pages render server-side; the explorer's form re-renders its section through htmx (the same
handler answers a full page or, for htmx, the ``_explorer.html`` fragment). Charts are Vega-Lite
specs from `services.charts`, drawn in the browser by ``static/app.js``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from socialpulse.bootstrap import App
from socialpulse.domain.errors import SocialPulseError
from socialpulse.domain.metrics import Metric, Variant
from socialpulse.domain.models import Network, Workspace
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import ENTITY_DIMENSIONS, Breakdown, Scope
from socialpulse.services.charts import (
    axis_format,
    chart_spec,
    network_color_scale,
    time_unit,
    tooltip_format,
    unit_suffix,
)
from socialpulse.services.metrics import MetricTable, network_label
from socialpulse.services.overview import PRESETS, ResolvedPeriod

from .common import (
    ENV,
    is_htmx,
    page_url,
    page_workspace,
    parse_by,
    parse_networks,
    render,
    sp,
)
from .registry import OVERVIEW_PANELS, NavItem, register_nav
from .scope import page_scope, scope_choices, scope_query, scope_value

log = logging.getLogger("socialpulse.web")

router = APIRouter(include_in_schema=False)

register_nav(NavItem("Overview", "/", order=10))
register_nav(NavItem("Metrics", "/metrics", order=20))
register_nav(NavItem("Catalogue", "/metrics/catalogue", order=90))

GRAIN_CHOICES = [("", "No time breakdown"), *((g.value, g.value.capitalize()) for g in Grain)]
#: Rows shown in the explorer's table (the chart and the CSV have them all).
TABLE_ROW_LIMIT = 1000
ENTITY_CHOICES = [("", "All accounts together"), ("network", "By network"),
                  ("brand", "By brand"), ("account", "By account")]


def period_choice(request: Request, app: App, ws: Workspace) -> ResolvedPeriod:
    """The page's period: a preset wins over the from/to dates the form always sends along."""
    q = request.query_params
    preset = q.get("period") or None
    if preset in (None, "custom"):
        return app.overview.resolve_period(ws, preset, q.get("from") or None,
                                           q.get("to") or None)
    return app.overview.resolve_period(ws, preset)


def _panels(
    request: Request, app: App, ws: Workspace, period: DateRange
) -> list[dict[str, Any]]:
    """Build every registered Overview panel; one failing panel shows its error, not a 500."""
    out = []
    for panel in OVERVIEW_PANELS:
        entry: dict[str, Any] = {"id": panel.id, "title": panel.title, "html": None,
                                 "error": None}
        try:
            data = panel.build(app, ws, period)
        except SocialPulseError as exc:
            entry["error"] = exc.message
        except Exception as exc:  # a feature's bug must not take the Overview down
            log.error("overview panel %s failed", panel.id, exc_info=exc)
            entry["error"] = f"this panel could not be built ({type(exc).__name__})"
        else:
            if data is None:
                continue
            try:  # rendered here, so a template error also stays inside its panel
                html = ENV.get_template(panel.template).render(
                    panel=data, workspace=ws, period=period, page_url=page_url, request=request)
                entry["html"] = Markup(html)  # noqa: S704 - output of an autoescaped template
            except Exception as exc:
                log.error("overview panel %s: template failed", panel.id, exc_info=exc)
                entry["error"] = f"this panel could not be shown ({type(exc).__name__})"
        out.append(entry)
    return out


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request) -> HTMLResponse:
    """KPI tiles, trends by network and feature panels for the chosen period."""
    app = sp(request)
    ws = page_workspace(request)
    ctx: dict[str, Any] = {"title": "Overview", "presets": PRESETS}
    if app.overview.data_range(ws) is None:
        ctx["empty"] = True
        return render(request, "overview.html", ctx, workspace=ws)
    chosen = period_choice(request, app, ws)
    q = request.query_params
    asked = page_scope(request) if q.get("scope") or q.getlist("brand") else None
    scope = app.overview.scope(ws, asked)

    def explore_url(metric_id: str) -> str:
        custom = chosen.preset == "custom"
        return page_url(
            "/metrics", ws, metric=metric_id, entity="network", grain="week",
            period=chosen.preset, **{"from": chosen.range.start.isoformat() if custom else None,
                                     "to": chosen.range.end.isoformat() if custom else None},
            scope=scope_value(asked) if asked else None,
        )

    ctx.update(
        explore_url=explore_url,
        scope=scope,
        scope_choices=scope_choices(app, ws),
        scope_value=scope_value(asked) if asked else "own",
        empty=False,
        period=chosen,
        tiles=app.overview.tiles(ws, chosen.range, asked),
        trends=app.overview.trends(ws, chosen.range, scope=asked),
        panels=_panels(request, app, ws, chosen.range),
    )
    return render(request, "overview.html", ctx, workspace=ws)


# --- metrics explorer ----------------------------------------------------------------------


def _row_label(row: dict[str, Any], entities: list[str]) -> str:
    parts = [str(row.get("brand") or "")] if "brand" in entities else []
    if "account" in entities:
        parts.append(str(row.get("account") or ""))
    if "network" in entities:
        label = network_label(str(row.get("network") or ""))
        parts.append(f"({label})" if parts else label)
    return " ".join(parts) or "All accounts"


def explorer_chart(
    table: MetricTable, key: str, metric_name: str, grain: str | None = None
) -> dict[str, Any]:
    """Line chart for a time breakdown (one line per group), bars otherwise."""
    unit = table.units[key]
    entities = [d for d in table.dimensions if d in ENTITY_DIMENSIONS]
    title = metric_name + unit_suffix(unit)
    rows = [r for r in table.records() if r.get(key) is not None]
    if "period" in table.dimensions:
        points = [{"period": r["period"], "series": _row_label(r, entities) if entities
                   else metric_name, "value": r[key]} for r in rows]
        scale = (network_color_scale(p["series"] for p in points)
                 if entities == ["network"] else None)
        return chart_spec(
            "line_trend", points, y_title=title, series="series" if entities else None,
            series_title=" and ".join(e.capitalize() for e in entities) or None,
            time_unit=time_unit(grain),
            y_format=axis_format(unit), tooltip_format=tooltip_format(unit), color_scale=scale,
            x_title="Period", description=f"{metric_name} over time",
            height=300,
        )
    points = [{"category": _row_label(r, entities), "value": r[key]} for r in rows]
    return chart_spec(
        "bar_category", points, value_title=title, value_format=axis_format(unit),
        category_title=" and ".join(e.capitalize() for e in entities),
        tooltip_format=tooltip_format(unit), description=f"{metric_name} by group",
    )


@router.get("/metrics", response_class=HTMLResponse)
def explorer_page(request: Request) -> HTMLResponse:
    """Choose a metric, variant, breakdown and period; see chart, table, notes and the SQL."""
    app = sp(request)
    ws = page_workspace(request)
    q = request.query_params
    catalogue = app.metrics.catalogue
    metric_id = (q.get("metric") or "engagement_rate").strip()
    metric = catalogue.metric(metric_id)  # unknown id -> NotFound -> error page
    variant = (q.get("variant") or "").strip() or None
    if q.get("shown") and q.get("shown") != metric.id:
        variant = None  # the form switched metric: the old variant belongs to the old metric
    v = metric.variant(variant)
    entity, grain, breakdown = _explorer_breakdown(request)
    scope = page_scope(request)
    networks = parse_networks(",".join(q.getlist("network")))
    present = sorted({a.network.value for a in app.workspaces.accounts(ws)},
                     key=lambda n: [x.value for x in Network].index(n))
    ctx: dict[str, Any] = {
        "title": f"{metric.name} · Metrics",
        "metrics": sorted(catalogue.metrics.values(), key=lambda m: m.name.lower()),
        "metric": metric,
        "variant": v,
        "entity": entity,
        "grain": grain,
        "entity_choices": ENTITY_CHOICES,
        "scope_value": scope_value(scope),
        "networks": networks,
        "network_choices": present,
        "scope_choices": scope_choices(app, ws),
        "explain_open": q.get("explain") == "1",
        "grain_choices": GRAIN_CHOICES,
        "presets": PRESETS,
        "explain": None,
        "table": None,
        "result_error": None,
        "row_limit": TABLE_ROW_LIMIT,
    }
    ex = app.metrics.explain(metric.id, v.id, ws)
    ctx["explain"] = ex.as_dict()
    if app.overview.data_range(ws) is None:
        ctx["result_error"] = (f"workspace {ws.slug!r} has no data yet; import exports with "
                               "`socialpulse import` or load the demo")
    else:
        ctx.update(_explorer_result(request, app, ws, metric, v, breakdown, grain, networks,
                                    scope))
    template = "_explorer.html" if is_htmx(request) else "metrics.html"
    return render(request, template, ctx, workspace=ws)


def _explorer_breakdown(request: Request) -> tuple[str, str, Breakdown]:
    """The explorer's entity and grain choices (network and week by default), as a breakdown."""
    q = request.query_params
    entity = (q.get("entity") if "entity" in q else "network") or ""
    grain = (q.get("grain") if "grain" in q else "week") or ""
    entities = {"account": ["account", "network"], "network": ["network"]}.get(entity)
    if entities is None and entity:
        entities = [entity]  # parse_breakdown names the allowed values
    breakdown = parse_by(",".join([*(entities or []), *([grain] if grain else [])]))
    return entity, grain, breakdown


def _explorer_result(request: Request, app: App, ws: Workspace, metric: Metric, v: Variant,
                     breakdown: Breakdown, grain: str, networks: list[str],
                     scope: Scope) -> dict[str, Any]:
    """The computed part of the explorer: period, table, chart and the CSV link."""
    chosen = period_choice(request, app, ws)
    table = app.metrics.compute(ws, [(metric.id, v.id)], breakdown, chosen.range,
                                networks=networks, scope=scope, allow_empty=True)
    key = table.metrics[0]
    return dict(
        period=chosen,
        table=table,
        key=key,
        unit=table.units[key],
        records=table.records()[:TABLE_ROW_LIMIT],
        total_rows=len(table.rows),
        chart=explorer_chart(table, key, metric.name, grain) if table.rows else None,
        csv_url=page_url(
            f"/api/workspaces/{ws.slug}/metrics", None,
            metrics=f"{metric.id}:{v.id}",
            by=",".join([*breakdown.entities, *([grain] if grain else [])]),
            period=chosen.range.label(),
            networks=",".join(networks),
            format="csv",
        ) + "&" + scope_query(scope),
    )


@router.get("/metrics/catalogue", response_class=HTMLResponse)
def catalogue_page(request: Request) -> HTMLResponse:
    """Every metric: formula, unit, direction, variants, goal types, networks."""
    app = sp(request)
    ws = page_workspace(request)
    catalogue = app.metrics.catalogue
    summaries = {m["id"]: m for m in app.metrics.summaries()}
    items = []
    for m in sorted(catalogue.metrics.values(), key=lambda m: m.name.lower()):
        items.append({
            "metric": m,
            "summary": summaries[m.id],
            "goal_types": [catalogue.goal_types[g].name if g in catalogue.goal_types else g
                           for g in m.goal_types],
        })
    return render(request, "catalogue.html", {"title": "Metric catalogue", "items": items},
                  workspace=ws)
