"""What a user asks of the metric engine, validated and planned without touching data.

The planner resolves metric ids and variants against the catalogue, checks that the requested
breakdown fits every dataset involved and lists the measures each dataset must provide. Engines
(adapters) compile the plan; `explain` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import InvalidInput
from .metrics import DATASET_DIMENSIONS, Catalogue, Dataset, Measure, Metric, Variant
from .periods import DateRange, Grain

ENTITY_DIMENSIONS = ("account", "network")


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
        kinds = set(self.entities)
        if self.grain is not None:
            kinds.add("time")
        return kinds


def parse_breakdown(text: str | Sequence[str] | None) -> Breakdown:
    """Parse ``account,network,week`` (any combination, at most one time grain)."""
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
            if p not in entities:
                entities.append(p)
        elif p in {g.value for g in Grain}:
            if grain is not None and grain.value != p:
                raise InvalidInput(f"--by: only one time grain at a time ({grain.value} and {p})")
            grain = Grain(p)
        else:
            raise InvalidInput(f"--by: unknown breakdown {p!r}; use any of {allowed}")
    # network is implied by account; keeping both makes tables easier to read
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
