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
from .datasets import DATASETS, measured_columns
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
# Validation reports every issue of the catalogue at once, each with its place (file, entry,
# field), the way metricflow does: fixing a catalogue one error per run is slow. An entry with
# an issue is left out of what is built, and whatever refers to it is not reported again.


@dataclass(frozen=True)
class CatalogueIssue:
    """One thing wrong in a catalogue file, and where: ``file: entry: field: message``."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        place = f"{self.file}: {self.entry}" if self.entry else self.file
        return f"{place}: {self.field}: {self.message}" if self.field else (
            f"{place}: {self.message}")


class _Issues:
    """Collects the issues of one validation run."""

    def __init__(self) -> None:
        self.found: list[CatalogueIssue] = []

    def add(self, file: str, entry: str, field: str, message: str) -> None:
        self.found.append(CatalogueIssue(file, entry, field, message))

    def raise_if_any(self) -> None:
        """One CatalogueError listing every issue, one line each."""
        if self.found:
            raise CatalogueError("\n".join(str(i) for i in self.found))


@dataclass(frozen=True)
class _Where:
    """An entry being validated: its file and name, and the run's collector."""

    file: str
    entry: str
    issues: _Issues

    def issue(self, field: str, message: str) -> None:
        self.issues.add(self.file, self.entry, field, message)

    def req(self, e: Mapping[str, Any], key: str) -> Any:
        if key not in e or e[key] in (None, ""):
            self.issue(key, "missing required field")
            return None
        return e[key]

    def choice(self, value: Any, allowed: Iterable[str], key: str) -> Any:
        allowed = tuple(allowed)
        if value is None:
            return None
        if value not in allowed:
            self.issue(key, f"{value!r} is not one of {', '.join(allowed)}")
            return None
        return value


def _networks(values: Any, at: _Where) -> tuple[Network, ...]:
    out = []
    for v in values or ():
        try:
            out.append(Network(v))
        except ValueError:
            at.issue("networks", f"unknown network {v!r}")
    return tuple(out)


def _measure(mid: str, entry: Any, at: _Where) -> Measure | None:
    if not isinstance(entry, Mapping):
        at.issue("", "must be a mapping")
        return None
    before = len(at.issues.found)
    dataset = at.choice(at.req(entry, "dataset"), DATASETS, "dataset")
    agg = at.choice(at.req(entry, "agg"), AGGREGATIONS, "agg")
    name = at.req(entry, "name")
    column = entry.get("column")
    if agg not in (None, "count") and not column:
        at.issue("column", f"agg {agg!r} needs a column")
    known = measured_columns(dataset) if dataset else frozenset()
    if column and known and column not in known:
        at.issue("column", f"dataset {dataset} has no column {column!r}")
    raw_where = entry.get("where") or {}
    if not isinstance(raw_where, Mapping):
        at.issue("where", "must be a mapping of column to value")
        raw_where = {}
    for col in raw_where:
        if known and col not in known:
            at.issue("where", f"dataset {dataset} has no column {col!r}")
    networks = _networks(entry.get("networks"), at)
    if len(at.issues.found) > before:
        return None
    return Measure(id=mid, name=str(name), description=str(entry.get("description", "")),
                   dataset=dataset, agg=agg, column=column,
                   where=tuple(sorted((str(k), v) for k, v in raw_where.items())),
                   networks=networks)


def _variant(vid: str, entry: Mapping[str, Any], at: _Where, measures: Mapping[str, Measure],
             default_unit: Unit | None, bad_measures: set[str]) -> Variant | None:
    before = len(at.issues.found)
    text = at.req(entry, "formula")
    node: fx.Node | None = None
    if text is not None:
        try:
            node = fx.parse(str(text))
        except Exception as exc:  # the parser's message names the position
            at.issue("formula", str(exc))
    refs = fx.refs(node) if node is not None else []
    for name in refs:
        if name not in measures and name not in bad_measures:
            at.issue("formula", f"uses unknown measure {name!r}")
    kind = at.choice(entry.get("kind", "ratio_of_sums"), VARIANT_KINDS, "kind")
    if kind == "mean_of_post_ratios" and any(
            n in measures and measures[n].dataset != "posts" for n in refs):
        at.issue("kind", "mean_of_post_ratios needs post measures only")
    unit = at.choice(entry.get("unit", default_unit), UNITS, "unit")
    if len(at.issues.found) > before or node is None or unit is None or any(
            n not in measures for n in refs):
        return None
    return Variant(id=vid, name=str(entry.get("name", vid)),
                   description=str(entry.get("description", "")), formula_text=str(text),
                   formula=node, unit=unit, kind=kind)


def _variants(entry: Mapping[str, Any], at: _Where, measures: Mapping[str, Measure],
              unit: Unit | None, bad_measures: set[str]) -> dict[str, Variant | None]:
    """The default variant (the metric's own formula) and the named ones."""
    default_id = str(entry.get("default_variant", "default"))
    base = {
        "formula": entry.get("formula"),
        "kind": entry.get("kind", "ratio_of_sums"),
        "name": entry.get("variant_name", default_id.replace("_", " ")),
        "description": entry.get("description", ""),
    }
    out = {default_id: _variant(default_id, base, at, measures, unit, bad_measures)}
    raw = entry.get("variants") or {}
    if not isinstance(raw, Mapping):
        at.issue("variants", "must be a mapping of variant id to variant")
        raw = {}
    for vid, ventry in raw.items():
        vat = _Where(at.file, f"{at.entry} variant {vid}", at.issues)
        if vid in out:
            vat.issue("", "variant defined twice")
        elif not isinstance(ventry, Mapping):
            vat.issue("", "must be a mapping")
            out[vid] = None
        else:
            out[vid] = _variant(vid, ventry, vat, measures, unit, bad_measures)
    return out


def _metric(mid: str, entry: Any, at: _Where, measures: Mapping[str, Measure],
            goal_types: Mapping[str, Any], bad_measures: set[str]) -> Metric | None:
    if not isinstance(entry, Mapping):
        at.issue("", "must be a mapping")
        return None
    before = len(at.issues.found)
    unit = at.choice(at.req(entry, "unit"), UNITS, "unit")
    variants = _variants(entry, at, measures, unit, bad_measures)
    gts = tuple(entry.get("goal_types") or ())
    for gt in gts:
        if goal_types and gt not in goal_types:
            at.issue("goal_types", f"unknown goal type {gt!r}")
    name, description = at.req(entry, "name"), at.req(entry, "description")
    direction = at.choice(entry.get("direction", "higher"), DIRECTIONS, "direction")
    if len(at.issues.found) > before or any(v is None for v in variants.values()):
        return None
    return Metric(id=mid, name=str(name), description=str(description), unit=unit,
                  direction=direction, default_variant=str(entry.get("default_variant",
                                                                     "default")),
                  variants={k: v for k, v in variants.items() if v is not None},
                  goal_types=gts, source=str(entry.get("source", "")))


def _goal_types(doc: Mapping[str, Any] | None, issues: _Issues) -> dict[str, GoalType]:
    out: dict[str, GoalType] = {}
    for gid, g in ((doc or {}).get("goal_types") or {}).items():
        at = _Where("goal_types.yaml", f"goal type {gid}", issues)
        if not isinstance(g, Mapping):
            at.issue("", "must be a mapping")
            continue
        name = at.req(g, "name")
        out[gid] = GoalType(id=gid, name=str(name), description=str(g.get("description", "")),
                            metrics=tuple(g.get("metrics") or ()))
    return out


def load_catalogue(
    metrics_doc: Mapping[str, Any],
    goal_types_doc: Mapping[str, Any] | None = None,
    source: str = "metrics.yaml",
) -> Catalogue:
    """Validate catalogue documents; a CatalogueError lists every issue found, one line each,
    naming the file, the entry and the field."""
    issues = _Issues()
    goal_types = _goal_types(goal_types_doc, issues)
    raw_measures = metrics_doc.get("measures")
    raw_metrics = metrics_doc.get("metrics")
    if not isinstance(raw_measures, Mapping) or not isinstance(raw_metrics, Mapping):
        raise CatalogueError(f"{source}: needs top-level 'measures' and 'metrics' mappings")
    built = {mid: _measure(mid, e, _Where(source, f"measure {mid}", issues))
             for mid, e in raw_measures.items()}
    measures = {k: v for k, v in built.items() if v is not None}
    bad_measures = {k for k, v in built.items() if v is None}
    metrics: dict[str, Metric] = {}
    for mid, e in raw_metrics.items():
        metric = _metric(mid, e, _Where(source, f"metric {mid}", issues), measures, goal_types,
                         bad_measures)
        if metric is not None:
            metrics[mid] = metric
    for gt in goal_types.values():
        for mid in gt.metrics:
            if mid not in raw_metrics:
                issues.add("goal_types.yaml", f"goal type {gt.id}", "metrics",
                           f"unknown metric {mid!r}")
    issues.raise_if_any()
    return Catalogue(measures=measures, metrics=metrics, goal_types=goal_types)
