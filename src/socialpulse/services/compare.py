"""The Competitors view: each own brand beside each competitor brand on the same metrics.

Brands differ in size, so the default set favours per-follower and per-post variants (a brand
with ten times the audience does not look ten times better). Every value comes from one
`MetricsService.compute` broken down by brand over every account (no formula here); what a
competitor's data lacks (public counters have no impressions) is said per brand, never shown
as 0. It serves the CLI (`socialpulse compare`), the API, the Competitors page and the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.formatting import format_value
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import (
    Breakdown,
    ResolvedScope,
    Scope,
    ScopeKind,
    brand_of,
)
from socialpulse.services.metrics import MetricsService, display_formula


@dataclass(frozen=True)
class CompareMetric:
    """A column of the comparison: a metric (``id`` or ``id:variant``) and why this variant."""

    key: str
    why: str


#: The default comparison: sizes differ between brands, hence per follower and per post.
COMPARE_METRICS: tuple[CompareMetric, ...] = (
    CompareMetric("followers", "Audience size at the period's end, for context: sizes differ, "
                  "so the figures beside it are per follower or per post."),
    CompareMetric("audience_growth_rate", "Growth as a share of the starting audience, so a "
                  "small brand's growth compares with a large one's."),
    CompareMetric("posts", "How much each brand published."),
    CompareMetric("engagements:per_post", "Per post, because brands publish different "
                  "amounts."),
    CompareMetric("engagement_rate:by_followers", "By followers, because competitors' public "
                  "counters have no impressions: every brand provides followers. It adds up "
                  "the engagements of every post of the period, so it passes 100% when the "
                  "audience engages more than once each over the period."),
    CompareMetric("amplification_rate:per_post", "Shares per post, because brands publish "
                  "different amounts."),
    CompareMetric("engagement_rate", "By impressions, the platforms' own rate: comparable only "
                  "for brands whose exports have impressions (usually just your own)."),
)
MAX_METRICS = 12


@dataclass
class Comparison:
    """Brands (own first) by metrics, with what each brand's data lacks."""

    period: DateRange
    metrics: list[dict[str, Any]]  # key, name, unit, formula, why
    brands: list[dict[str, Any]]  # brand, own, accounts, values {key: value}
    notes: list[str]
    scope: ResolvedScope

    def as_dict(self) -> dict[str, Any]:
        """The JSON the API and ``--format json`` give."""
        return {"period": {"start": self.period.start.isoformat(),
                           "end": self.period.end.isoformat(), "label": self.period.label()},
                "scope": self.scope.as_dict(), "metrics": self.metrics,
                "brands": self.brands, "notes": self.notes}

    def records(self) -> list[dict[str, Any]]:
        """One flat row per brand (brand, own, accounts, then one column per metric)."""
        return [{"brand": b["brand"], "own": b["own"], "accounts": b["accounts"],
                 **b["values"]} for b in self.brands]

    @property
    def columns(self) -> list[str]:
        return ["brand", "own", "accounts", *(m["key"] for m in self.metrics)]

    def csv(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Columns and rows of the CSV (CLI and API alike): one row per brand, the period and
        the scope as last columns, so the file says what it covers without comment lines."""
        extra = {"period": self.period.label(), "scope": self.scope.label}
        return [*self.columns, *extra], [{**r, **extra} for r in self.records()]

    def formatted(self) -> list[dict[str, str]]:
        """The rows as people read them: values in their unit, "n/a" where not comparable."""
        units = {m["key"]: m["unit"] for m in self.metrics}
        return [{"brand": b["brand"], "own": "own" if b["own"] else "competitor",
                 "accounts": str(b["accounts"]),
                 **{k: "n/a" if v is None else format_value(v, units[k])
                    for k, v in b["values"].items()}} for b in self.brands]


def parse_compare_metrics(text: str | Sequence[str] | None) -> tuple[CompareMetric, ...]:
    """``followers,engagement_rate:by_followers`` -> the metrics to compare (default: the
    per-follower / per-post set)."""
    parts = text.split(",") if isinstance(text, str) else list(text or ())
    keys = list(dict.fromkeys(p.strip() for p in parts if p.strip()))
    if not keys:
        return COMPARE_METRICS
    if len(keys) > MAX_METRICS:
        raise InvalidInput(f"metrics: at most {MAX_METRICS} at a time ({len(keys)} given)")
    known = {m.key: m for m in COMPARE_METRICS}
    return tuple(known.get(k, CompareMetric(k, "Asked for.")) for k in keys)


def variant_name(metric: str, variant: str, several: bool) -> str:
    """``Engagement rate by followers``, ``Shares per post``, ``Followers``: a column's name
    says the variant whenever the metric has more than one."""
    if not several:
        return metric
    if variant.startswith("by "):
        return f"{metric} {variant}"
    return variant[:1].upper() + variant[1:]


class CompareService:
    def __init__(self, metrics: MetricsService) -> None:
        self.metrics = metrics

    def compare(self, ws: Workspace, period: DateRange,
                metrics: Sequence[CompareMetric] = COMPARE_METRICS) -> Comparison:
        """Every brand of the workspace on ``metrics`` over ``period``."""
        catalogue = self.metrics.catalogue
        requests: list[tuple[str, str | None]] = []
        for cm in metrics:
            mid, _, var = cm.key.partition(":")
            requests.append((mid, var or None))
        # inputs that are metrics themselves (impressions, followers...): which a brand lacks
        inputs = {m.id for mid, var in requests
                  for m in catalogue.inputs(catalogue.metric(mid), var)
                  if m.id in catalogue.metrics and m.dataset != "mentions"}
        extra = [(i, None) for i in sorted(inputs) if (i, None) not in requests]
        table = self.metrics.compute(ws, [*requests, *extra], Breakdown(entities=("brand",)),
                                     period, scope=Scope(ScopeKind.ALL), allow_empty=True)
        scope = table.scope
        assert scope is not None  # brand breakdowns never come from mentions alone
        keys = table.metrics[:len(requests)]
        accounts = [a for a in self.metrics.store.accounts(ws.id)
                    if a.id in set(scope.account_ids)]
        own = {brand_of(a) for a in accounts if a.is_own}
        count = {b: sum(brand_of(a) == b for a in accounts) for b in scope.brands}
        by_brand = {str(r["brand"]): r for r in table.rows}
        described = []
        for cm, key in zip(metrics, keys, strict=True):
            mid, _, var = cm.key.partition(":")
            metric = catalogue.metric(mid)
            v = metric.variant(var or None)
            described.append({"key": key, "name": variant_name(metric.name, v.name,
                                                               len(metric.variants) > 1),
                              "unit": table.units[key],
                              "formula": f"{key} = {display_formula(metric, v.id)}",
                              "why": cm.why})
        brands = sorted(scope.brands, key=lambda b: (b not in own, b.lower()))
        rows, notes = [], []
        for b in brands:
            r = by_brand.get(b, {})
            values = {k: r.get(k) for k in keys}
            rows.append({"brand": b, "own": b in own, "accounts": count[b], "values": values})
            for (metric_id, variant), m in zip(requests, described, strict=True):
                if values[m["key"]] is None:
                    notes.append(f"{b}: {self._lacking(r, metric_id, variant)}, so "
                                 f"{m['name'].lower()} is not comparable.")
        if not own:
            notes.append("No own brand: every brand is flagged competitor.")
        elif all(b in own for b in brands):
            notes.append("No competitor brand yet: flag one with `socialpulse accounts update "
                         "ACCOUNT --brand NAME --competitor`.")
        # a brand shown "n/a" is explained above; an account left out of a brand that has a
        # value is not, so say which
        by_id = {a.id: a for a in accounts}
        for m in described:
            left = [by_id[i] for i in table.excluded.get(m["key"], []) if i in by_id
                    and by_brand.get(brand_of(by_id[i]), {}).get(m["key"]) is not None]
            if left:
                notes.append(f"{m['name']}: left out {', '.join(a.label for a in left)} "
                             "(their exports lack an input); the other accounts of their "
                             "brand count.")
        return Comparison(period, described, rows, notes, scope)

    def _lacking(self, row: dict[str, Any], metric_id: str, variant: str | None) -> str:
        """Why a brand has no value: the inputs its exports lack, else no data at all."""
        catalogue = self.metrics.catalogue
        lacking = [i.name.lower() for i in catalogue.inputs(catalogue.metric(metric_id), variant)
                   if i.id in row and row[i.id] is None]
        return f"no {', '.join(lacking)} in its exports" if lacking else "no data in this period"
