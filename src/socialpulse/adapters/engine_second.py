"""Level 2 of the engine: group level 1 to the requested breakdown and evaluate the formulas.

For each metric only accounts that provide every input somewhere in the scope contribute (so
engagements of an account without impressions never inflate a rate); additive inputs count as
zero in buckets without rows. Sums first, then divide. Events (mentions) have no account and
are never left out.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from socialpulse.domain import formula as fx
from socialpulse.domain.query import PlannedMetric, QueryPlan

from .engine_sql import agg_col, binop, per_account, ratio_cols
from .run_diagnosis import diagnosis


def _groups(plan: QueryPlan, t: ir.Table) -> dict[str, Any]:
    groups: dict[str, Any] = {}
    if plan.query.breakdown.grain is not None:
        groups["period"] = t.bucket
    for dim in plan.query.breakdown.entities:
        groups[dim] = t[dim]
    if "account" in groups:  # handles repeat across networks (@acme on X and TikTok)
        groups["account_id"] = t.account_id
    return groups


def _sums(i: int, pm: PlannedMetric, t: ir.Table) -> dict[str, Any]:
    """The sums a metric's value is computed from, over eligible accounts only."""
    eligible = ibis.literal(True)
    for m in pm.inputs:
        if per_account(m.dataset):
            eligible = eligible & (t[f"has__{m.id}"] > 0)
    if pm.variant.kind == "mean_of_post_ratios":
        s, n = ratio_cols(pm)
        return {f"v{i}__s": eligible.ifelse(t[s], ibis.null("float64")).sum(),
                f"v{i}__n": eligible.ifelse(t[n], ibis.null("float64")).sum()}
    aggs: dict[str, Any] = {}
    for m in pm.inputs:
        raw = t[agg_col(m.id)]
        val = ibis.coalesce(raw, 0.0) if m.additive else raw
        aggs[f"v{i}__{m.id}"] = eligible.ifelse(val, ibis.null("float64")).sum()
    return aggs


def _value(i: int, pm: PlannedMetric, g: ir.Table) -> Any:
    """A metric's formula over its sums (x100 for a rate)."""
    if pm.variant.kind == "mean_of_post_ratios":
        value = g[f"v{i}__s"] / g[f"v{i}__n"].nullif(0)
    else:

        def column(name: str) -> Any:
            return g[f"v{i}__{name}"]

        value = fx.fold(pm.variant.formula, lambda v: ibis.literal(v, "float64"), column,
                        lambda a: -a, binop)
    return value * 100 if pm.variant.is_rate else value


def second_level(plan: QueryPlan, first: ir.Table) -> ir.Table:
    """Group to the requested breakdown and evaluate every metric's formula."""
    measures_used = {m.id: m for pm in plan.metrics for m in pm.inputs}
    # does the account provide the measure anywhere in the scope?
    provides = first.group_by("account_id").aggregate(
        **{f"has__{mid}": first[agg_col(mid)].count() for mid in measures_used}
    )
    t = first.left_join(provides, first.account_id == provides.account_id).drop(
        "account_id_right"
    )
    groups = _groups(plan, t)
    aggs: dict[str, Any] = {}
    for i, pm in enumerate(plan.metrics):
        aggs.update(_sums(i, pm, t))
    g = t.group_by(**groups).aggregate(**aggs) if groups else t.aggregate(**aggs)
    out: dict[str, Any] = {k: g[k] for k in groups}
    for i, pm in enumerate(plan.metrics):
        out[pm.key] = _value(i, pm, g)
    result = g.select(**out)
    order = [c for c in ("period", "brand", "network", "account", "account_id")
             if c in groups]
    return result.order_by(order) if order else result


def diagnose(plan: QueryPlan, first: ir.Table
             ) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
    """Which inputs no account provides, and which accounts a metric had to leave out."""
    return diagnosis(plan, account_counts(plan, first).to_pyarrow().to_pylist())


def account_counts(plan: QueryPlan, first: ir.Table) -> ir.Table:
    """Per account, how many level-1 rows hold each input the plan uses (column: measure id);
    the query behind `diagnosis`, separate so that a compiled run can keep its SQL."""
    used = sorted({m.id for pm in plan.metrics for m in pm.inputs})
    return first.group_by("account_id").aggregate(
        **{mid: first[agg_col(mid)].count() for mid in used})
