"""Benchmarks: quantiles and percentiles, comparing a score with a pack's group or with the
other organisations of this installation, and aggregating organisations into groups; a group of
fewer than `MIN_GROUP` organisations is never shown (privacy of each answer)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .vocabulary import INDUSTRIES, MIN_GROUP, OVERALL, QUANTILES, SIZE_BANDS


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default), of already sorted values."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def quantiles(values: Iterable[float]) -> dict[str, float]:
    s = sorted(values)
    return {name: round(quantile(s, q), 2) for name, q in QUANTILES}


def percentile_rank(value: float, peers: Sequence[float]) -> float | None:
    """Share of peers below the value (ties count half), 0-100; None for fewer than 5 peers."""
    if len(peers) < MIN_GROUP:
        return None
    below = sum(1 for p in peers if p < value)
    equal = sum(1 for p in peers if p == value)
    return 100.0 * (below + 0.5 * equal) / len(peers)


def percentile_from_quantiles(value: float, qs: Mapping[str, float]) -> float:
    """Where a score sits in a group known only by its quantiles.

    Piecewise-linear through (0, 0), the group's (p10, 10) ... (p90, 90) and (100, 100): an
    approximation, since a pack holds aggregates only, never the answers themselves.
    """
    points = [(0.0, 0.0)] + [(float(qs[name]), q * 100) for name, q in QUANTILES] + [(100.0, 100.0)]
    # equal quantiles (many organisations at one score): take the middle of the tied ranks
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x0 <= value <= x1:
            if x1 == x0:
                ties = [y for x, y in points if x == value]
                return (min(ties) + max(ties)) / 2
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return 100.0 if value > 100 else 0.0


@dataclass(frozen=True)
class BenchmarkGroup:
    industry: str
    size_band: str  # a size band, or "all" for the whole industry
    dimension: str  # a dimension id or OVERALL
    n: int
    quantiles: Mapping[str, float]


@dataclass(frozen=True)
class Comparison:
    """An organisation's score against one benchmark group, or why it is hidden."""

    dimension: str
    score: float
    source: str  # "pack: <name>" or "installation"
    group: str  # human label of the group
    n: int
    percentile: float | None = None
    median: float | None = None
    quantiles: Mapping[str, float] = field(default_factory=dict)
    hidden: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "score": round(self.score, 1),
            "source": self.source,
            "group": self.group,
            "n": self.n if self.hidden is None else None,
            "percentile": None if self.percentile is None else round(self.percentile, 1),
            "median": self.median,
            "quantiles": dict(self.quantiles),
            "hidden": self.hidden,
        }


def hidden_reason(n: int) -> str:
    return (
        f"hidden: only {n} organisation{'s' if n != 1 else ''} in this group; benchmarks need at "
        f"least {MIN_GROUP} so that no single organisation's answers can be read from them"
    )


def compare_with_group(
    dimension: str, score: float, group: BenchmarkGroup | None, source: str, label: str
) -> Comparison:
    if group is None:
        return Comparison(dimension, score, source, label, 0,
                          hidden=f"hidden: the benchmark has no group for {label}")
    if group.n < MIN_GROUP:
        return Comparison(dimension, score, source, label, group.n, hidden=hidden_reason(group.n))
    return Comparison(
        dimension, score, source, label, group.n,
        percentile=percentile_from_quantiles(score, group.quantiles),
        median=group.quantiles.get("p50"),
        quantiles=dict(group.quantiles),
    )


def compare_with_peers(
    dimension: str, score: float, peers: Sequence[float], label: str
) -> Comparison:
    """Percentile against other organisations of this installation (n >= 5 or hidden)."""
    if not peers:
        return Comparison(dimension, score, "installation", label, 0,
                          hidden="hidden: no other organisation of this industry has been "
                                 "assessed in this installation yet")
    if len(peers) < MIN_GROUP:
        return Comparison(dimension, score, "installation", label, len(peers),
                          hidden=hidden_reason(len(peers)))
    return Comparison(
        dimension, score, "installation", label, len(peers),
        percentile=percentile_rank(score, peers),
        median=round(quantile(sorted(peers), 0.5), 2),
        quantiles=quantiles(peers),
    )


@dataclass(frozen=True)
class OrgScores:
    """One organisation's latest scores, as aggregation input (never exported as such)."""

    industry: str
    size_band: str
    scores: Mapping[str, float]  # dimension id (and OVERALL) -> score


def aggregate(orgs: Sequence[OrgScores], dimensions: Sequence[str]) -> tuple[
    list[BenchmarkGroup], int
]:
    """Aggregate organisations into industry x size band x dimension groups.

    Returns the groups with at least :data:`MIN_GROUP` organisations and the number of groups
    left out because they were smaller. Industry-wide groups (size band "all") are added so a
    small size band can still be compared with its industry.
    """
    buckets: dict[tuple[str, str], list[OrgScores]] = {}
    for o in orgs:
        buckets.setdefault((o.industry, o.size_band), []).append(o)
        buckets.setdefault((o.industry, "all"), []).append(o)
    groups: list[BenchmarkGroup] = []
    suppressed = 0
    for (industry, band), members in sorted(buckets.items()):
        for dim in [*dimensions, OVERALL]:
            values = [m.scores[dim] for m in members if dim in m.scores]
            if not values:
                continue
            if len(values) < MIN_GROUP:
                suppressed += 1
                continue
            groups.append(BenchmarkGroup(industry, band, dim, len(values), quantiles(values)))
    return groups, suppressed


def find_group(
    groups: Iterable[BenchmarkGroup], industry: str, size_band: str, dimension: str
) -> tuple[BenchmarkGroup | None, str]:
    """The organisation's own industry x size band group, else its industry as a whole.

    Returns the group and its label; the fallback is used when the exact group is missing or
    too small, so one small cell does not hide the whole comparison.
    """
    by_key = {(g.industry, g.size_band, g.dimension): g for g in groups}
    exact = by_key.get((industry, size_band, dimension))
    label = f"{INDUSTRIES[industry]}, {SIZE_BANDS[size_band]}"
    if exact is not None and exact.n >= MIN_GROUP:
        return exact, label
    whole = by_key.get((industry, "all", dimension))
    if whole is not None and whole.n >= MIN_GROUP:
        return whole, f"{INDUSTRIES[industry]}, all sizes"
    return exact or whole, label
