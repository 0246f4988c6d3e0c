"""Metric use cases: list, explain, compute, and the Overview's KPI and trend sets."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from socialpulse.domain import formula as fx
from socialpulse.domain.datasets import DAILY_TOTALS
from socialpulse.domain.errors import MissingData
from socialpulse.domain.metrics import Catalogue, Metric
from socialpulse.domain.models import NETWORK_LABELS, Account, Network, Workspace
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import (
    Breakdown,
    MetricQuery,
    MetricRequest,
    QueryPlan,
    ResolvedScope,
    Scope,
    ScopeKind,
    plan,
    resolve_scope,
    scoped,
)
from socialpulse.services.ports import EngineRunResult, MetricEngine, WorkspaceRepository
from socialpulse.services.single_flight import SingleFlight
from socialpulse.services.versioned import VersionedMemo, lake_version

T = TypeVar("T")

#: The account-totals rule, as `metrics explain` states it (docs/metrics.md says the same).
ACCOUNT_TOTALS_RULE = (
    "Post counters of an account without any per-post data come from its daily account "
    "totals (TikTok Overview, LinkedIn aggregated update metrics, Facebook Page data), summed "
    "over the period's "
    "days; an account with per-post data is measured from its posts only, never both."
)

OVERVIEW_KPIS = (
    "impressions",
    "engagements",
    "engagement_rate",
    "followers",
    "audience_growth_rate",
    "amplification_rate",
)
OVERVIEW_TRENDS = ("impressions", "engagements", "engagement_rate", "followers")

#: Engine answers kept per service (one service per `App`, so per process), least recently
#: used out first. An entry is one query's rows (a few to a few thousand small dicts).
RESULT_MEMO_SIZE = 256


@dataclass
class MetricTable:
    """A computed table: breakdown columns, then one column per metric."""

    dimensions: list[str]
    metrics: list[str]
    rows: list[dict[str, Any]]
    units: dict[str, str]
    notes: list[str] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)
    #: metric column -> ids of the accounts a rate left out (their exports lack an input)
    excluded: dict[str, list[int]] = field(default_factory=dict)
    #: whose accounts the figures cover; None when only listening data (brands' mentions,
    #: which carry no account) was asked for
    scope: ResolvedScope | None = None

    def records(self, with_scope: bool = False) -> list[dict[str, Any]]:
        """Rows with days as ISO text; ``with_scope`` adds a ``scope`` column (its label), so a
        CSV says whose accounts it covers without comment lines."""
        out = []
        for r in self.rows:
            rec = {}
            for k in [*self.dimensions, *self.metrics]:
                v = r.get(k)
                rec[k] = v.isoformat() if isinstance(v, date) else v
            if with_scope:
                rec["scope"] = self.scope.label if self.scope else ""
            out.append(rec)
        return out

    def as_dict(self, period: DateRange | None) -> dict[str, Any]:
        """The JSON document the API and ``--format json`` give: rows, units, notes, the
        period (FROM..TO) and the scope (kind, brands, label)."""
        return {"columns": [*self.dimensions, *self.metrics], "rows": self.records(),
                "units": self.units, "notes": self.notes,
                "period": period.label() if period else None,
                "scope": self.scope.as_dict() if self.scope else None}


@dataclass(frozen=True)
class Explanation:
    metric: Metric
    variant_id: str
    formula: str
    unit: str
    inputs: list[dict[str, str]]
    networks: list[str]
    sql: str
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        m = self.metric
        return {
            "id": m.id,
            "name": m.name,
            "description": m.description,
            "variant": self.variant_id,
            "variants": {v.id: v.description for v in m.variants.values()},
            "formula": self.formula,
            "unit": self.unit,
            "direction": m.direction,
            "inputs": self.inputs,
            "networks": self.networks,
            "goal_types": list(m.goal_types),
            "source": m.source,
            "notes": self.notes,
            "sql": self.sql,
        }


def metric_summary(c: Catalogue, m: Metric) -> dict[str, Any]:
    v = m.variant()
    return {
        "id": m.id,
        "name": m.name,
        "description": m.description,
        "unit": m.unit,
        "direction": m.direction,
        "formula": display_formula(m, None),
        "default_variant": m.default_variant,
        "variants": list(m.variants),
        "goal_types": list(m.goal_types),
        "networks": [n.value for n in c.networks(m)],
        "inputs": v.inputs,
    }


def display_formula(m: Metric, variant_id: str | None) -> str:
    v = m.variant(variant_id)
    text = fx.render(v.formula)
    if v.kind == "mean_of_post_ratios":
        text = f"mean over posts of ({text})"
    if v.is_rate:
        text = f"{text} x 100"
    return text


class MetricsService:
    def __init__(self, catalogue: Catalogue, store: WorkspaceRepository,
                 engine: MetricEngine) -> None:
        self.catalogue = catalogue
        self.store = store
        self.engine = engine
        # deep copies in and out: callers (reports, pages) decorate rows in place
        self._results = VersionedMemo(RESULT_MEMO_SIZE, copies=True)
        self._flights = SingleFlight()

    def summaries(self) -> list[dict[str, Any]]:
        return [metric_summary(self.catalogue, m) for m in self.catalogue.metrics.values()]

    def explain(
        self, metric_id: str, variant: str | None, workspace: Workspace | None
    ) -> Explanation:
        metric = self.catalogue.metric(metric_id)
        v = metric.variant(variant)
        query = MetricQuery(
            workspace_id=workspace.id if workspace else 0,
            metrics=(MetricRequest(metric.id, v.id),),
            breakdown=Breakdown(),
        )
        p = plan(self.catalogue, query)
        accounts = self.store.accounts(workspace.id) if workspace else []
        tz = workspace.timezone if workspace else "UTC"
        inputs = [
            {
                "id": m.id,
                "name": m.name,
                "dataset": m.dataset,
                "aggregation": m.agg,
                "column": m.column or "",
                "description": m.description,
            }
            for m in p.metrics[0].inputs
        ]
        notes = [
            "Sums first, then divide: numerator and denominator are summed over the period "
            "and the group before the division."
            if v.kind == "ratio_of_sums"
            else "Each post's rate is computed first, then averaged over posts.",
            "Each post counts with its latest snapshot observed before the end of the period "
            "(a post first observed later counts with its earliest snapshot).",
            "Only accounts that provide every input in the scope contribute to a rate.",
        ]
        if any(m.dataset == "posts" and m.column in DAILY_TOTALS for m in p.metrics[0].inputs):
            notes.append(ACCOUNT_TOTALS_RULE)
        return Explanation(
            metric=metric,
            variant_id=v.id,
            formula=display_formula(metric, v.id),
            unit=v.unit,
            inputs=inputs,
            networks=[n.value for n in self.catalogue.networks(metric, v.id)],
            sql=self._sql(p, accounts, tz),
            notes=notes,
        )

    def compute(
        self,
        workspace: Workspace,
        metrics: Sequence[tuple[str, str | None]],
        breakdown: Breakdown = Breakdown(),
        period: DateRange | None = None,
        networks: Sequence[str] = (),
        account_ids: Sequence[int] = (),
        campaign: str | None = None,
        allow_empty: bool = False,
        scope: Scope | None = None,
    ) -> MetricTable:
        """Compute metrics for ``scope`` (default: the own brands); ``account_ids`` (accounts
        named one by one) replace the scope, ``campaign`` (posts' tag) narrows it.

        With no data at all for the question, raise MissingData (unless ``allow_empty``).
        """
        accounts = self.store.accounts(workspace.id)
        query = MetricQuery(
            workspace_id=workspace.id,
            metrics=tuple(MetricRequest(m, v) for m, v in metrics),
            breakdown=breakdown,
            period=period,
            networks=tuple(networks),
            campaign=campaign,
        )
        p = plan(self.catalogue, query)
        resolved: ResolvedScope | None = None
        if set(p.datasets) - {"mentions"}:  # mentions need no account
            resolved = self.resolve_scope(workspace, scope, account_ids, accounts)
            p = QueryPlan(dataclasses.replace(query, account_ids=resolved.account_ids),
                          p.metrics)
        result = self._run(p, accounts, workspace.timezone)
        table = self._table(p, result, accounts)
        table.scope = resolved
        if not allow_empty and (
            not table.rows or all(pm.key in result.missing for pm in p.metrics)
        ):
            where = f"in {period.label()}" if period else "at all"
            lacking = sorted({i for v in result.missing.values() for i in v})
            raise MissingData(
                f"no data for {', '.join(table.metrics)} in workspace {workspace.slug!r} "
                f"{where} (missing inputs: {', '.join(lacking) or 'none'})"
            )
        return table

    def _run(self, p: QueryPlan, accounts: Sequence[Account], tz: str) -> EngineRunResult:
        """The engine's answer to ``p``, from the memo when the same question was asked of the
        same data. The key holds every input of `MetricEngine.run`: the engine itself, the
        lake's committed batches (read now, so an import, compaction, removal or rebuilt demo
        from any process is a new key), the accounts exactly as passed (network, handle,
        brand, own or competitor: labels and groups come from them), the time zone, and the
        query (workspace, metric ids and variants, breakdown, period, account ids the scope
        resolved to, networks, campaign). Nothing else is read: no clock, no other table."""
        return self.memo("run", p.query.workspace_id, _question(p, accounts, tz),
                         lambda: self.engine.run(p, accounts, tz))

    def _sql(self, p: QueryPlan, accounts: Sequence[Account], tz: str) -> str:
        """The SQL `explain` shows, compiled once per question and lake (it names the files):
        the Metrics page shows it on every load, and compiling costs more than running."""
        return self.memo("sql", p.query.workspace_id, _question(p, accounts, tz),
                         lambda: self.engine.sql(p, accounts, tz))

    def memo(self, kind: str, workspace_id: int, question: Hashable,
             build: Callable[[], T]) -> T:
        """An engine answer that depends only on the workspace's lake and ``question`` (which
        must hold every other input of ``build``: accounts as passed, time zone, the query),
        from the same memo as `_run`: keyed by the engine and the lake's committed batches read
        now, so another process's import or compaction is a new key, never a stale answer.
        The Posts list uses it too; one memo, one rule for what a key must hold."""
        key = (kind, self.engine, lake_version(self.store, workspace_id), question)
        # requests asking together (every dashboard after an import) compute it once
        return self._flights.run(key, lambda: self._results.get(key, build))

    def resolve_scope(self, workspace: Workspace, scope: Scope | None = None,
                      account_ids: Sequence[int] = (),
                      accounts: Sequence[Account] | None = None) -> ResolvedScope:
        """The one place a scope becomes account ids: named accounts, else ``scope`` (default:
        own brands). Every computation (CLI, API, pages, reports, compare) goes through here."""
        every = self.store.accounts(workspace.id) if accounts is None else accounts
        if account_ids:
            wanted = set(account_ids)
            named = [a for a in every if a.id in wanted]
            if not named:
                raise MissingData(f"accounts: none of {sorted(wanted)} is an account of "
                                  f"workspace {workspace.slug!r}")
            return scoped(ScopeKind.ACCOUNTS, named)
        return resolve_scope(scope or Scope(), every, workspace.slug)

    def _table(self, p: QueryPlan, result: Any, accounts: Sequence[Account]) -> MetricTable:
        by_id = {a.id: a for a in accounts}
        notes: list[str] = []
        for key, lacking in result.missing.items():
            notes.append(
                f"{key}: no data for {', '.join(lacking)} in this scope, so it is not computed"
            )
        for key, ids in result.excluded.items():
            labels = ", ".join(by_id[i].label for i in ids if i in by_id)
            notes.append(f"{key}: left out accounts whose exports lack its inputs: {labels}")
        dims = list(p.query.breakdown.columns)
        return MetricTable(
            dimensions=dims,
            metrics=[pm.key for pm in p.metrics],
            rows=result.rows,
            units={pm.key: pm.variant.unit for pm in p.metrics},
            notes=notes,
            missing=dict(result.missing),
            excluded=dict(result.excluded),
        )

    # -- Overview ---------------------------------------------------------------------------

    def kpis(
        self, workspace: Workspace, period: DateRange, account_ids: Sequence[int] = ()
    ) -> list[dict[str, Any]]:
        """KPI tiles: value in the period, value in the previous one, and the change.

        ``account_ids`` narrows the scope (the Overview shows the own brand's accounts).
        """
        reqs = [(m, None) for m in OVERVIEW_KPIS]
        now = self.compute(workspace, reqs, period=period, account_ids=account_ids,
                           allow_empty=True)
        before = self.compute(workspace, reqs, period=period.previous(),
                              account_ids=account_ids, allow_empty=True)
        tiles = []
        for key in now.metrics:
            metric = self.catalogue.metric(key)
            cur = now.rows[0].get(key) if now.rows else None
            prev = before.rows[0].get(key) if before.rows else None
            change = None
            if cur is not None and prev not in (None, 0):
                change = (cur - prev) / abs(prev) * 100
            tiles.append(
                {
                    "id": key,
                    "name": metric.name,
                    "unit": now.units[key],
                    "direction": metric.direction,
                    "value": cur,
                    "previous": prev,
                    "change_pct": change,
                    "missing": now.missing.get(key, []),
                }
            )
        return tiles

    def trends(
        self,
        workspace: Workspace,
        period: DateRange,
        grain: Grain = Grain.WEEK,
        account_ids: Sequence[int] = (),
    ) -> MetricTable:
        return self.compute(
            workspace,
            [(m, None) for m in OVERVIEW_TRENDS],
            breakdown=Breakdown(entities=("network",), grain=grain),
            period=period,
            account_ids=account_ids,
            allow_empty=True,
        )

    def data_range(self, workspace: Workspace) -> DateRange | None:
        """First and last day with posts, for default periods."""
        table = self.compute(
            workspace, [("posts", None)], Breakdown(grain=Grain.DAY), allow_empty=True,
            scope=Scope(ScopeKind.ALL),
        )
        days = [r["period"] for r in table.rows if r.get("posts")]
        if not days:
            return None
        return DateRange(min(days), max(days))


def _question(p: QueryPlan, accounts: Sequence[Account], tz: str) -> Hashable:
    """Every input of an engine run besides the lake: the accounts as passed (network, handle,
    brand, own or competitor), the time zone, the query, each metric's id and variant."""
    return (tuple(accounts), tz, p.query,
            tuple((pm.key, pm.metric.id, pm.variant.id) for pm in p.metrics))


def network_label(value: str) -> str:
    try:
        return NETWORK_LABELS[Network(value)]
    except ValueError:
        return value
