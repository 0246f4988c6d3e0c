"""What a user asks of the metric engine, validated and planned without touching data.

The planner resolves metric ids and variants against the catalogue, checks that the requested
breakdown fits every dataset involved and lists the measures each dataset must provide. Engines
(adapters) compile the plan; `explain` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidInput, MissingData
from .metrics import DATASET_DIMENSIONS, Catalogue, Dataset, Measure, Metric, Variant
from .models import Account
from .periods import DateRange, Grain

#: Breakdown by who: a brand groups its accounts (accounts of no brand under `NO_BRAND`).
ENTITY_DIMENSIONS = ("brand", "account", "network")
NO_BRAND = "(no brand)"


class ScopeKind(StrEnum):
    """Whose accounts a figure covers."""

    OWN = "own"  # brands not flagged competitor, and accounts of no brand
    COMPETITORS = "competitors"
    ALL = "all"
    BRANDS = "brands"  # the brands named
    ACCOUNTS = "accounts"  # accounts named one by one (goals, reports, filters)


@dataclass(frozen=True)
class Scope:
    """What a user asks to measure: own brands (the default), competitors, all, or named brands.

    A value with no data in it: `resolve_scope` turns it into account ids for one workspace,
    so every consumer (CLI, API, pages, reports) covers the same accounts.
    """

    kind: ScopeKind = ScopeKind.OWN
    brands: tuple[str, ...] = ()


def parse_scope(kind: str | None = None, brands: Sequence[str] = (),
                field: str = "scope") -> Scope:
    """``own`` (default), ``competitors`` or ``all``; naming brands asks for those brands."""
    names = tuple(dict.fromkeys(b.strip() for b in brands if b and b.strip()))
    text = (kind or "").strip().lower()
    if names:
        if text and text != ScopeKind.BRANDS:
            raise InvalidInput(f"{field}: name brands or ask for {text!r}, not both")
        return Scope(ScopeKind.BRANDS, names)
    if not text:
        return Scope()
    allowed = (ScopeKind.OWN, ScopeKind.COMPETITORS, ScopeKind.ALL)
    if text not in allowed:
        raise InvalidInput(f"{field}: unknown value {kind!r}; use one of "
                           f"{', '.join(allowed)} (or name brands)")
    return Scope(ScopeKind(text))


@dataclass(frozen=True)
class ResolvedScope:
    """A scope applied to a workspace: the accounts it covers, and in words whose they are."""

    kind: ScopeKind
    brands: tuple[str, ...]  # brand names covered (NO_BRAND for accounts of no brand)
    account_ids: tuple[int, ...]

    @property
    def label(self) -> str:
        """``own brands (Acme Outdoor)``: what every output prints after "Scope:"."""
        words = {ScopeKind.OWN: "own brands", ScopeKind.COMPETITORS: "competitors",
                 ScopeKind.ALL: "all brands", ScopeKind.BRANDS: "brands",
                 ScopeKind.ACCOUNTS: "accounts"}[self.kind]
        names = [b if b != NO_BRAND else "accounts of no brand" for b in self.brands]
        return f"{words} ({', '.join(names)})" if names else words

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "brands": list(self.brands), "label": self.label,
                "accounts": len(self.account_ids)}


def own_accounts(accounts: Sequence[Account]) -> list[Account]:
    """The own brands' accounts: brands not flagged competitor, and accounts of no brand (the
    default scope of every figure; audit, funnel, maturity and goals measure these)."""
    return [a for a in accounts if a.is_own]


def brand_of(account: Account) -> str:
    """The brand an account is grouped under (`NO_BRAND` when it has none)."""
    return account.brand_name or NO_BRAND


def resolve_scope(scope: Scope, accounts: Sequence[Account], workspace: str,
                  field: str = "scope") -> ResolvedScope:
    """The accounts of ``scope`` among a workspace's ``accounts``; none at all is an error
    (an empty account filter would otherwise mean every account)."""
    if not accounts:
        raise MissingData(
            f"workspace {workspace!r} has no accounts or data yet; import exports with "
            "`socialpulse import` or load the demo with `socialpulse demo --no-serve`")
    if scope.kind is ScopeKind.BRANDS:
        known = {brand_of(a).lower(): brand_of(a) for a in accounts}
        for name in scope.brands:
            if name.lower() not in known:
                raise InvalidInput(f"brand: no brand {name!r} in workspace {workspace!r}; "
                                   f"brands: {', '.join(sorted(set(known.values()))) or 'none'}")
        wanted = {n.lower() for n in scope.brands}
        chosen = [a for a in accounts if brand_of(a).lower() in wanted]
    elif scope.kind is ScopeKind.OWN:
        chosen = own_accounts(accounts)
    elif scope.kind is ScopeKind.COMPETITORS:
        chosen = [a for a in accounts if not a.is_own]
    else:
        chosen = list(accounts)
    if not chosen:
        hint = {ScopeKind.OWN: "no own brand's account; ask for competitors or all",
                ScopeKind.COMPETITORS: "no competitor brand (flag one with "
                "`socialpulse accounts update ... --competitor`)"}.get(scope.kind, "no account")
        raise MissingData(f"{field}: workspace {workspace!r} has {hint}")
    return scoped(scope.kind, chosen)


def scoped(kind: ScopeKind, accounts: Sequence[Account]) -> ResolvedScope:
    """The scope of exactly these accounts."""
    brands = tuple(sorted({brand_of(a) for a in accounts}))
    return ResolvedScope(kind, brands, tuple(sorted(a.id for a in accounts)))


@dataclass(frozen=True)
class Breakdown:
    entities: tuple[str, ...] = ()
    grain: Grain | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        cols = list(self.entities)
        if self.grain is not None:
            cols.insert(0, "period")
        return tuple(cols)

    @property
    def dimension_kinds(self) -> set[str]:
        # a brand is a group of accounts: data that splits by account splits by brand
        kinds = {"account" if e == "brand" else e for e in self.entities}
        if self.grain is not None:
            kinds.add("time")
        return kinds


def parse_breakdown(text: str | Sequence[str] | None) -> Breakdown:
    """Parse ``brand,account,network,week`` (any combination, at most one time grain).

    ``account`` brings ``network`` along: a handle (``@acme``) can exist on several networks.
    """
    if text is None:
        return Breakdown()
    parts = text.split(",") if isinstance(text, str) else list(text)
    entities: list[str] = []
    grain: Grain | None = None
    allowed = ", ".join([*ENTITY_DIMENSIONS, *(g.value for g in Grain)])
    for raw in parts:
        p = raw.strip().lower()
        if not p:
            continue
        if p in ENTITY_DIMENSIONS:
            entities.extend(e for e in (p, "network") if e not in entities
                            and (e == p or p == "account"))
        elif p in {g.value for g in Grain}:
            if grain is not None and grain.value != p:
                raise InvalidInput(f"--by: only one time grain at a time ({grain.value} and {p})")
            grain = Grain(p)
        else:
            raise InvalidInput(f"--by: unknown breakdown {p!r}; use any of {allowed}")
    ordered = tuple(d for d in ENTITY_DIMENSIONS if d in entities)
    return Breakdown(entities=ordered, grain=grain)


@dataclass(frozen=True)
class MetricRequest:
    metric_id: str
    variant: str | None = None


@dataclass(frozen=True)
class MetricQuery:
    workspace_id: int
    metrics: tuple[MetricRequest, ...]
    breakdown: Breakdown = Breakdown()
    period: DateRange | None = None
    account_ids: tuple[int, ...] = ()
    networks: tuple[str, ...] = ()
    campaign: str | None = None  # posts' campaign tag; other datasets carry no campaign


@dataclass(frozen=True)
class PlannedMetric:
    """One metric column of the result: the metric, its variant and its inputs."""

    key: str  # result column name: metric id, or metric_id:variant for a non-default variant
    metric: Metric
    variant: Variant
    inputs: tuple[Measure, ...]

    @property
    def datasets(self) -> tuple[Dataset, ...]:
        out: list[Dataset] = []
        for m in self.inputs:
            if m.dataset not in out:
                out.append(m.dataset)
        return tuple(out)


@dataclass(frozen=True)
class QueryPlan:
    query: MetricQuery
    metrics: tuple[PlannedMetric, ...]

    @property
    def datasets(self) -> tuple[Dataset, ...]:
        out: list[Dataset] = []
        for pm in self.metrics:
            for d in pm.datasets:
                if d not in out:
                    out.append(d)
        return tuple(out)

    def measures(self, dataset: Dataset) -> tuple[Measure, ...]:
        out: dict[str, Measure] = {}
        for pm in self.metrics:
            for m in pm.inputs:
                if m.dataset == dataset:
                    out[m.id] = m
        return tuple(out.values())


def plan(catalogue: Catalogue, query: MetricQuery) -> QueryPlan:
    if not query.metrics:
        raise InvalidInput("name at least one metric (see `socialpulse metrics list`)")
    planned: list[PlannedMetric] = []
    for req in query.metrics:
        metric = catalogue.metric(req.metric_id)
        variant = metric.variant(req.variant)
        inputs = tuple(catalogue.measures[n] for n in variant.inputs)
        key = metric.id if variant.id == metric.default_variant else f"{metric.id}:{variant.id}"
        pm = PlannedMetric(key=key, metric=metric, variant=variant, inputs=inputs)
        for ds in pm.datasets:
            unsupported = query.breakdown.dimension_kinds - DATASET_DIMENSIONS[ds]
            if unsupported:
                raise InvalidInput(
                    f"metric {metric.id}: {ds} data cannot be broken down by "
                    f"{', '.join(sorted(unsupported))}"
                )
        if key not in {p.key for p in planned}:
            planned.append(pm)
    return QueryPlan(query=query, metrics=tuple(planned))
