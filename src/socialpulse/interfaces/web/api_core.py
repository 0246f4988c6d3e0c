"""The core JSON API: workspaces, accounts, the metric catalogue, explain, compute, overview.

Every number comes from `MetricsService` / `OverviewService`; this module parses the request
(with the same parsers as the CLI), shapes the answer and declares typed response models so
``/openapi.json`` documents it. Errors: ``{"error": {"message": ...}}`` with a 4xx status (see
`app.py`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from socialpulse.domain.errors import MissingData
from socialpulse.domain.models import NETWORK_LABELS, Account, Workspace

from .common import (
    Acting,
    api_workspace,
    body_fields,
    date_range_params,
    json_body,
    parse_by,
    parse_metric_list,
    parse_networks,
    readable_workspace,
    sp,
    visible_workspaces,
)
from .download import csv_download
from .scope import BrandParam, ScopeParam, UsedScopeOut, api_scope

router = APIRouter(prefix="/api", tags=["core"])


class ErrorBody(BaseModel):
    message: str = Field(description="One line: what is wrong and where (field, value).")


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Malformed input (names the field)."},
    404: {"model": ErrorResponse, "description": "Unknown workspace, metric or variant."},
    422: {"model": ErrorResponse, "description": "The data held cannot answer the question."},
}


class WorkspaceOut(BaseModel):
    slug: str
    name: str
    timezone: str
    languages: list[str]
    accounts: int


class AccountOut(BaseModel):
    id: int
    network: str
    network_label: str
    handle: str
    name: str
    url: str
    function: str
    brand: str
    competitor: bool


class MetricOut(BaseModel):
    id: str
    name: str
    description: str
    unit: str
    direction: Literal["higher", "lower"]
    formula: str
    default_variant: str
    variants: list[str]
    goal_types: list[str]
    networks: list[str]
    inputs: list[str]


class InputOut(BaseModel):
    id: str
    name: str
    dataset: str
    aggregation: str
    column: str
    description: str


class ExplainOut(BaseModel):
    id: str
    name: str
    description: str
    variant: str
    variants: dict[str, str] = Field(description="Variant id -> description.")
    formula: str
    unit: str
    direction: Literal["higher", "lower"]
    inputs: list[InputOut]
    networks: list[str]
    goal_types: list[str]
    source: str
    notes: list[str]
    sql: str = Field(description="The SQL the engine runs (DuckDB dialect).")


class MetricTableOut(BaseModel):
    columns: list[str] = Field(description="Breakdown columns, then one column per metric.")
    rows: list[dict[str, Any]]
    units: dict[str, str] = Field(description="Metric column -> unit (percent is already x100).")
    notes: list[str] = Field(description="Inputs missing, accounts left out.")
    period: str | None = Field(description="FROM..TO (inclusive) or null for all data.")
    scope: UsedScopeOut | None = Field(description="Whose accounts the figures cover (null: "
                                   "listening metrics only, which have no accounts).")


class PeriodRef(BaseModel):
    start: str
    end: str
    label: str


class DataRangeOut(BaseModel):
    start: str
    end: str


class PeriodOut(PeriodRef):
    preset: str
    previous: PeriodRef
    data_range: DataRangeOut | None


class KpiOut(BaseModel):
    id: str
    name: str
    unit: str
    direction: Literal["higher", "lower"]
    value: float | None
    previous: float | None
    change_pct: float | None = Field(description="Change on the previous period, in percent.")
    tone: Literal["good", "bad", "neutral"] = Field(
        description="Whether the change is good news given the metric's direction.")
    value_text: str
    change_text: str
    formula: str
    inputs: list[str] = Field(description="How each input is read: aggregation of dataset.column.")
    missing: list[str]


class TrendsOut(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    units: dict[str, str]
    notes: list[str]


class ScopeOut(BaseModel):
    account_ids: list[int] = Field(description="Accounts covered.")
    label: str = Field(description="In words: own brands (Acme Outdoor).")
    left_out: list[str] = Field(description="Brands not included.")
    kind: str = Field(description="own, competitors, all or brands.")
    brands: list[str] = Field(description="Brands covered.")


class OverviewOut(BaseModel):
    workspace: str
    scope: ScopeOut
    period: PeriodOut
    kpis: list[KpiOut]
    trends: TrendsOut


@router.get("/workspaces", response_model=list[WorkspaceOut])
def list_workspaces(request: Request) -> list[WorkspaceOut]:
    """Every workspace (a brand or a client) of the data home."""
    return [_workspace_out(request, w) for w in visible_workspaces(request)]


def _account_out(a: Account) -> AccountOut:
    return AccountOut(id=a.id, network=a.network.value, network_label=NETWORK_LABELS[a.network],
                      handle=a.handle, name=a.name, url=a.url, function=a.function.value,
                      brand=a.brand_name, competitor=not a.is_own)


def _workspace_out(request: Request, w: Workspace) -> WorkspaceOut:
    return WorkspaceOut(slug=w.slug, name=w.name, timezone=w.timezone,
                        languages=list(w.languages),
                        accounts=len(sp(request).workspaces.accounts(w)))


@router.patch("/workspaces/{slug}", response_model=WorkspaceOut, responses=ERRORS)
async def update_workspace(request: Request, slug: str, actor: Acting) -> WorkspaceOut:
    """Change ``{"name", "timezone", "languages": ["en", "es"]}`` (any of them). A new time
    zone re-derives the local day of every post and mention already imported."""
    ws = api_workspace(request, slug)
    changes = body_fields(await json_body(request),
                          {"name": "str", "timezone": "str", "languages": "list[str]"})
    updated, _ = sp(request).workspaces.update(actor, ws, **changes)
    return _workspace_out(request, updated)


@router.get("/workspaces/{slug}/accounts", response_model=list[AccountOut], responses=ERRORS)
def list_accounts(request: Request, slug: str) -> list[AccountOut]:
    """The social accounts of a workspace, own and competitors'."""
    app = sp(request)
    ws = api_workspace(request, slug)
    return [_account_out(a) for a in app.workspaces.accounts(ws)]


@router.patch("/workspaces/{slug}/accounts/{account}", response_model=AccountOut,
              responses=ERRORS)
async def update_account(request: Request, slug: str, account: str, actor: Acting
                         ) -> AccountOut:
    """Correct an account (id, handle or NETWORK:HANDLE): ``{"name", "url", "function",
    "brand", "competitor": true|false}`` (any of them)."""
    ws = api_workspace(request, slug)
    changes = body_fields(await json_body(request), {
        "name": "str", "url": "str", "function": "str", "brand": "str", "competitor": "bool"})
    return _account_out(sp(request).workspaces.update_account(actor, ws, account, **changes))


@router.get("/metrics", response_model=list[MetricOut])
def list_metrics(request: Request) -> list[MetricOut]:
    """The metric catalogue: formula, unit, variants, goal types, networks that provide it."""
    return [MetricOut(**m) for m in sp(request).metrics.summaries()]


@router.get("/metrics/{metric_id}/explain", response_model=ExplainOut, responses=ERRORS)
def explain_metric(
    request: Request,
    metric_id: str,
    variant: Annotated[str | None, Query(description="A named variant (default: the metric's)."
                                         )] = None,
    workspace: Annotated[str | None, Query(description="Workspace slug for the SQL "
                                           "(default: the first).")] = None,
) -> ExplainOut:
    """How a metric is computed: formula, inputs, networks, notes and the SQL it runs."""
    app = sp(request)
    ws = readable_workspace(request, workspace) if (workspace or visible_workspaces(request)) \
        else None
    return ExplainOut(**app.metrics.explain(metric_id, variant or None, ws).as_dict())


def _csv_name(slug: str, metrics: list[tuple[str, str | None]]) -> str:
    stem = "-".join(m if not v else f"{m}-{v}" for m, v in metrics)[:80]
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"socialpulse-{slug}-{stem}.csv")


@router.get(
    "/workspaces/{slug}/metrics",
    response_model=MetricTableOut,
    responses={**ERRORS, 200: {"content": {"text/csv": {}},
                               "description": "JSON table, or CSV with format=csv."}},
)
def compute_metrics(
    request: Request,
    slug: str,
    metrics: Annotated[str, Query(description="Comma-separated metric ids; METRIC:VARIANT for a "
                                  "variant, e.g. engagement_rate,followers")],
    variant: Annotated[str | None, Query(description="Variant for every metric named.")] = None,
    by: Annotated[str | None, Query(description="Breakdown: any of account, network and one "
                                    "of day, week, month, quarter, e.g. network,week")] = None,
    from_: Annotated[str | None, Query(alias="from", description="First day, YYYY-MM-DD.")]
    = None,
    to: Annotated[str | None, Query(description="Last day (inclusive), YYYY-MM-DD.")] = None,
    period: Annotated[str | None, Query(description="2026-Q3, 2026-09, 2026-W37, 2026 or "
                                        "FROM..TO (instead of from/to).")] = None,
    networks: Annotated[str | None, Query(description="Only these networks, e.g. x,linkedin."
                                          )] = None,
    scope: ScopeParam = None,
    brand: BrandParam = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")]
    = "json",
) -> Any:
    """Compute metrics for a workspace's own brands (or ``scope``, ``brand``), broken down by
    brand, account, network and/or time; the answer says which scope it used."""
    requests = parse_metric_list(metrics, variant)
    breakdown = parse_by(by)
    rng = date_range_params(from_, to, period)
    nets = parse_networks(networks)
    chosen = api_scope(scope, brand)
    app = sp(request)
    ws = api_workspace(request, slug)
    table = app.metrics.compute(ws, requests, breakdown, rng, nets, scope=chosen)
    columns = [*table.dimensions, *table.metrics]
    if format == "csv":
        return csv_download([*columns, "scope"], table.records(with_scope=True),
                            _csv_name(ws.slug, requests))
    return MetricTableOut(**table.as_dict(rng))


@router.get("/workspaces/{slug}/overview", response_model=OverviewOut, responses=ERRORS)
def overview(
    request: Request,
    slug: str,
    period: Annotated[str | None, Query(description="last30, last90 (default), last-month, "
                                        "last-quarter, or a period such as 2026-Q3 or "
                                        "2026-07-01..2026-09-30.")] = None,
    from_: Annotated[str | None, Query(alias="from", description="Custom first day.")] = None,
    to: Annotated[str | None, Query(description="Custom last day (inclusive).")] = None,
    scope: ScopeParam = None,
    brand: BrandParam = None,
) -> OverviewOut:
    """KPI tiles (value, change on the previous period, formula) and weekly trends by network,
    for the own brands unless ``scope`` or ``brand`` ask for others."""
    chosen = api_scope(scope, brand) if scope or brand else None
    app = sp(request)
    ws = api_workspace(request, slug)
    if app.overview.data_range(ws) is None:
        raise MissingData(f"workspace {ws.slug!r} has no posts yet; import exports with "
                          "`socialpulse import` or load the demo")
    resolved = app.overview.resolve_period(ws, period, from_, to)
    tiles = app.overview.tiles(ws, resolved.range, chosen)
    trends = app.overview.trends(ws, resolved.range, scope=chosen)
    return OverviewOut(
        workspace=ws.slug,
        scope=ScopeOut(**dataclasses.asdict(app.overview.scope(ws, chosen))),
        period=PeriodOut(**resolved.as_dict()),
        kpis=[KpiOut(**{k: t[k] for k in KpiOut.model_fields}) for t in tiles],
        trends=TrendsOut(**{k: trends[k] for k in TrendsOut.model_fields}),
    )
