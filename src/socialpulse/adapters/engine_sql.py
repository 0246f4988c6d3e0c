"""Small pieces the engine's levels share: column names, periods, time buckets, row formulas.

They are plain functions over Ibis expressions, so every level (and the post list) builds on
the same rules whichever backend compiles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from socialpulse.domain import datasets
from socialpulse.domain import formula as fx
from socialpulse.domain.metrics import Measure
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import PlannedMetric, QueryPlan

_TRUNC = {Grain.WEEK: "W", Grain.MONTH: "M", Grain.QUARTER: "Q"}

class TableSource(Protocol):
    """A committed dataset of a workspace as one table on the engine's backend; a name like
    ``post_snapshots@settled`` reads one part of it (adapters/lake_intervals.py)."""

    def __call__(self, dataset: str, workspace_id: int) -> ir.Table: ...

    def parts(self, dataset: str, workspace_id: int) -> frozenset[str]:
        """The parts of a dataset that have files (``settled``, ``rest``)."""
        ...


def agg_col(measure_id: str) -> str:
    """Level 1's column of a measure."""
    return f"m__{measure_id}"


def total_col(measure_id: str) -> str:
    """Level 1's column of a post measure's account daily totals."""
    return f"t__{measure_id}"


def ratio_cols(pm: PlannedMetric) -> tuple[str, str]:
    """Level 1's sum and count of a mean-of-post-ratios metric."""
    return f"r__{pm.key}__sum".replace(":", "_"), f"r__{pm.key}__n".replace(":", "_")


def totals_for(plan: QueryPlan) -> list[Measure]:
    """Post measures that an account's daily totals can stand in for (sums of a counter)."""
    return [m for m in plan.measures("posts")
            if m.agg == "sum" and m.column in datasets.DAILY_TOTALS]


def per_account(dataset: str) -> bool:
    """Whether a measured dataset's rows belong to accounts (mentions belong to networks)."""
    return datasets.MEASURED[dataset].entity == "account_id"  # type: ignore[index]


def bucket(col: ir.DateValue, grain: Grain | None) -> ir.DateValue | None:
    if grain is None:
        return None
    if grain is Grain.DAY:
        return col
    return col.truncate(_TRUNC[grain])


def group_keys(t: ir.Table, entity: str, date_col: str, grain: Grain | None) -> dict[str, Any]:
    """Level-1 grouping: the entity column, and the time bucket when one is asked for."""
    keys: dict[str, Any] = {entity: t[entity]}
    b = bucket(t[date_col], grain)
    if b is not None:
        keys["bucket"] = b
    return keys


def in_period(t: ir.Table, date_col: str, period: DateRange | None) -> ir.Table:
    """Rows whose local date falls in the period (all rows without one)."""
    if period is None:
        return t
    return t.filter(
        (t[date_col] >= ibis.literal(period.start))
        & (t[date_col] < ibis.literal(period.end_exclusive))
    )


_SPARK_TYPES = {"int64": "BIGINT", "string": "STRING", "float64": "DOUBLE", "bool": "BOOLEAN",
                "date": "DATE", "timestamp": "TIMESTAMP"}


def spark_schema(dataset: str) -> str:
    """A DDL schema so Spark reads the files with the lake's types (no inference)."""
    return ", ".join(f"`{c.name}` {_SPARK_TYPES[c.type]}"
                     for c in datasets.STORED[dataset].columns)


def _measure_column(name: str, inputs: Sequence[Measure]) -> str:
    for m in inputs:
        if m.id == name and m.column:
            return m.column
    raise ValueError(f"measure {name} has no column")


def row_formula(node: fx.Node, inputs: Sequence[Measure], t: ir.Table) -> ir.Value:
    """A formula over one row's measure columns (a post's counters); x / 0 is null."""
    return fx.fold(node, lambda v: ibis.literal(v), lambda name: t[_measure_column(name, inputs)],
                   lambda a: -a, binop)


def ratio_parts(pm: PlannedMetric, t: ir.Table) -> tuple[ir.Value, ir.Value]:
    """Numerator and denominator of a mean-of-post-ratios metric, per post."""
    node = pm.variant.formula
    if not isinstance(node, fx.BinOp) or node.op != "/":
        raise ValueError(f"{pm.key}: mean_of_post_ratios needs a formula a / b")
    return (row_formula(node.left, pm.inputs, t), row_formula(node.right, pm.inputs, t))


def binop(op: str, a: Any, b: Any) -> Any:
    """The engine's arithmetic: x / 0 is null (no figure), never an error or infinity."""
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b.nullif(0)


def utc_instants(table: pa.Table) -> pa.Table:
    """Instants come back in UTC from every backend (Spark hands them over without a zone)."""
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            table = table.set_column(i, f.name, table[f.name].cast(pa.timestamp("us", tz="UTC")))
    return table
