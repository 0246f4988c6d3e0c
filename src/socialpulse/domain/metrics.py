"""The metric catalogue as typed values, validated from plain data.

A *measure* is a base quantity read from one dataset of the lake (sum of post shares, followers
at the end of a period). A *metric* is a formula over measures with a unit and a direction, and
may have named *variants* (engagement rate by impressions, by reach, by followers...). Keeping
both as data means adding a metric is adding a catalogue entry; every engine (DuckDB, Spark,
PostgreSQL) compiles the same definitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from . import formula as fx
from .datasets import DATASET_DIMENSIONS as DATASET_DIMENSIONS  # the registry's, re-exported
from .datasets import DATASETS
from .datasets import Dataset as Dataset  # re-exported: query.py and the services name it
from .errors import CatalogueError, NotFound
from .models import Network

Aggregation = Literal["sum", "count", "end", "start"]
Unit = Literal["count", "percent", "ratio", "currency", "seconds", "score"]
Direction = Literal["higher", "lower"]
VariantKind = Literal["ratio_of_sums", "mean_of_post_ratios"]

AGGREGATIONS: tuple[Aggregation, ...] = ("sum", "count", "end", "start")
UNITS: tuple[Unit, ...] = ("count", "percent", "ratio", "currency", "seconds", "score")
DIRECTIONS: tuple[Direction, ...] = ("higher", "lower")
VARIANT_KINDS: tuple[VariantKind, ...] = ("ratio_of_sums", "mean_of_post_ratios")

#: Aggregations that add up over time and over posts: "no row" means zero for them.
ADDITIVE: frozenset[Aggregation] = frozenset({"sum", "count"})


@dataclass(frozen=True)
class Measure:
    """A base quantity: how one dataset column is aggregated over a period and a group."""

    id: str
    name: str
    description: str
    dataset: Dataset
    agg: Aggregation
    column: str | None = None
    where: tuple[tuple[str, str | bool], ...] = ()
    networks: tuple[Network, ...] = ()

    @property
    def additive(self) -> bool:
        return self.agg in ADDITIVE


@dataclass(frozen=True)
class Variant:
    id: str
    name: str
    description: str
    formula_text: str
    formula: fx.Node
    unit: Unit
    kind: VariantKind = "ratio_of_sums"

    @property
    def is_rate(self) -> bool:
        """Percent variants are computed as ratios and shown x100."""
        return self.unit == "percent"

    @property
    def inputs(self) -> list[str]:
        return fx.refs(self.formula)


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    description: str
    unit: Unit
    direction: Direction
    default_variant: str
    variants: Mapping[str, Variant]
    goal_types: tuple[str, ...] = ()
    source: str = ""

    def variant(self, variant_id: str | None = None) -> Variant:
        key = variant_id or self.default_variant
        try:
            return self.variants[key]
        except KeyError:
            allowed = ", ".join(self.variants)
            raise NotFound(
                f"metric {self.id}: unknown variant {key!r}; variants are {allowed}"
            ) from None


@dataclass(frozen=True)
class GoalType:
    id: str
    name: str
    description: str
    metrics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    measures: Mapping[str, Measure]
    metrics: Mapping[str, Metric]
    goal_types: Mapping[str, GoalType] = field(default_factory=dict)

    def metric(self, metric_id: str) -> Metric:
        try:
            return self.metrics[metric_id]
        except KeyError:
            close = [m for m in self.metrics if metric_id.split("_")[0] in m][:5]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise NotFound(
                f"unknown metric {metric_id!r}{hint} (see `socialpulse metrics list`)"
            ) from None

    def inputs(self, metric: Metric, variant_id: str | None = None) -> list[Measure]:
        return [self.measures[name] for name in metric.variant(variant_id).inputs]

    def networks(self, metric: Metric, variant_id: str | None = None) -> tuple[Network, ...]:
        """Networks whose exports provide every input of the metric."""
        sets = [set(m.networks) for m in self.inputs(metric, variant_id)]
        common = set.intersection(*sets) if sets else set()
        return tuple(n for n in Network if n in common)

    def datasets(self, metric: Metric, variant_id: str | None = None) -> list[Dataset]:
        out: list[Dataset] = []
        for m in self.inputs(metric, variant_id):
            if m.dataset not in out:
                out.append(m.dataset)
        return out


# --- loading -------------------------------------------------------------------------------


def _req(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CatalogueError(f"{where}: missing required field {key!r}")
    return entry[key]


def _choice(value: Any, allowed: Iterable[str], where: str, key: str) -> Any:
    allowed = tuple(allowed)
    if value not in allowed:
        raise CatalogueError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")
    return value


def _networks(values: Any, where: str) -> tuple[Network, ...]:
    out = []
    for v in values or ():
        try:
            out.append(Network(v))
        except ValueError:
            raise CatalogueError(f"{where}: unknown network {v!r}") from None
    return tuple(out)


def _measure(mid: str, entry: Mapping[str, Any], source: str) -> Measure:
    where = f"{source}: measure {mid}"
    dataset = _choice(_req(entry, "dataset", where), DATASETS, where, "dataset")
    agg = _choice(_req(entry, "agg", where), AGGREGATIONS, where, "agg")
    column = entry.get("column")
    if agg != "count" and not column:
        raise CatalogueError(f"{where}: agg {agg!r} needs a column")
    raw_where = entry.get("where") or {}
    if not isinstance(raw_where, Mapping):
        raise CatalogueError(f"{where}: 'where' must be a mapping of column to value")
    return Measure(
        id=mid,
        name=str(_req(entry, "name", where)),
        description=str(entry.get("description", "")),
        dataset=dataset,
        agg=agg,
        column=column,
        where=tuple(sorted((str(k), v) for k, v in raw_where.items())),
        networks=_networks(entry.get("networks"), where),
    )


def _variant(
    vid: str,
    entry: Mapping[str, Any],
    where: str,
    measures: Mapping[str, Measure],
    default_unit: Unit,
) -> Variant:
    text = str(_req(entry, "formula", where))
    try:
        node = fx.parse(text)
    except Exception as exc:  # the parser's message names the position
        raise CatalogueError(f"{where}: {exc}") from None
    for name in fx.refs(node):
        if name not in measures:
            raise CatalogueError(f"{where}: formula uses unknown measure {name!r}")
    kind = _choice(entry.get("kind", "ratio_of_sums"), VARIANT_KINDS, where, "kind")
    if kind == "mean_of_post_ratios" and any(measures[n].dataset != "posts" for n in fx.refs(node)):
        raise CatalogueError(f"{where}: mean_of_post_ratios needs post measures only")
    return Variant(
        id=vid,
        name=str(entry.get("name", vid)),
        description=str(entry.get("description", "")),
        formula_text=text,
        formula=node,
        unit=_choice(entry.get("unit", default_unit), UNITS, where, "unit"),
        kind=kind,
    )


def _metric(
    mid: str,
    entry: Mapping[str, Any],
    source: str,
    measures: Mapping[str, Measure],
    goal_types: Mapping[str, Any],
) -> Metric:
    where = f"{source}: metric {mid}"
    default_id = str(entry.get("default_variant", "default"))
    unit: Unit = _choice(_req(entry, "unit", where), UNITS, where, "unit")
    base = {
        "formula": entry.get("formula"),
        "kind": entry.get("kind", "ratio_of_sums"),
        "name": entry.get("variant_name", default_id.replace("_", " ")),
        "description": entry.get("description", ""),
    }
    variants: dict[str, Variant] = {default_id: _variant(default_id, base, where, measures, unit)}
    for vid, ventry in (entry.get("variants") or {}).items():
        if vid in variants:
            raise CatalogueError(f"{where}: variant {vid!r} defined twice")
        variants[vid] = _variant(vid, ventry, f"{where} variant {vid}", measures, unit)
    gts = tuple(entry.get("goal_types") or ())
    for gt in gts:
        if goal_types and gt not in goal_types:
            raise CatalogueError(f"{where}: unknown goal type {gt!r}")
    return Metric(
        id=mid,
        name=str(_req(entry, "name", where)),
        description=str(_req(entry, "description", where)),
        unit=unit,
        direction=_choice(entry.get("direction", "higher"), DIRECTIONS, where, "direction"),
        default_variant=default_id,
        variants=variants,
        goal_types=gts,
        source=str(entry.get("source", "")),
    )


def load_catalogue(
    metrics_doc: Mapping[str, Any],
    goal_types_doc: Mapping[str, Any] | None = None,
    source: str = "metrics.yaml",
) -> Catalogue:
    """Validate catalogue documents; every error names the file and the entry."""
    goal_types: dict[str, GoalType] = {}
    for gid, g in ((goal_types_doc or {}).get("goal_types") or {}).items():
        where = f"goal_types.yaml: goal type {gid}"
        goal_types[gid] = GoalType(
            id=gid,
            name=str(_req(g, "name", where)),
            description=str(g.get("description", "")),
            metrics=tuple(g.get("metrics") or ()),
        )
    raw_measures = metrics_doc.get("measures")
    raw_metrics = metrics_doc.get("metrics")
    if not isinstance(raw_measures, Mapping) or not isinstance(raw_metrics, Mapping):
        raise CatalogueError(f"{source}: needs top-level 'measures' and 'metrics' mappings")
    measures = {mid: _measure(mid, e, source) for mid, e in raw_measures.items()}
    metrics = {mid: _metric(mid, e, source, measures, goal_types) for mid, e in raw_metrics.items()}
    for gt in goal_types.values():
        for mid in gt.metrics:
            if mid not in metrics:
                raise CatalogueError(f"goal_types.yaml: goal type {gt.id}: unknown metric {mid!r}")
    return Catalogue(measures=measures, metrics=metrics, goal_types=goal_types)
