"""Compile metric query plans to Ibis and run them on DuckDB (default) or PySpark.

Two levels, both portable SQL (no interval RANGE windows):

1. *Per account and bucket*: the latest snapshot of each post (ROW_NUMBER over the post),
   posts joined and filtered by local publication date, summed per account and time bucket;
   daily account rows give the value at the end of the bucket and just before its start
   (LAG over the account's days). The datasets are unioned into one table.
2. *Per requested group*: for each metric, only accounts that provide every input in the scope
   contribute (so engagements of accounts without impressions never inflate a rate); additive
   inputs count as zero in buckets without rows. Sums first, then divide.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from socialpulse.adapters.lake import DAILY_TOTALS, POST_COUNTERS, SCHEMAS
from socialpulse.domain import datasets
from socialpulse.domain import formula as fx
from socialpulse.domain.metrics import Measure
from socialpulse.domain.models import Account
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import PlannedMetric, QueryPlan, brand_of

_TRUNC = {Grain.WEEK: "W", Grain.MONTH: "M", Grain.QUARTER: "Q"}

FileSource = Callable[[int, str], Sequence[Path]]


@dataclass
class EngineResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    missing: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[int]] = field(default_factory=dict)


def _agg_col(measure_id: str) -> str:
    return f"m__{measure_id}"


def _total_col(measure_id: str) -> str:
    return f"t__{measure_id}"


def _totals_for(plan: QueryPlan) -> list[Measure]:
    """Post measures that an account's daily totals can stand in for (sums of a counter)."""
    return [m for m in plan.measures("posts")
            if m.agg == "sum" and m.column in DAILY_TOTALS]


def _ratio_cols(pm: PlannedMetric) -> tuple[str, str]:
    return f"r__{pm.key}__sum".replace(":", "_"), f"r__{pm.key}__n".replace(":", "_")


def _with_schema(table: ir.Table, dataset: str) -> ir.Table:
    """The dataset's columns, typed nulls where every file predates a column (union by name
    only adds a column that at least one file has)."""
    missing = {f.name: ibis.null().cast(ibis.dtype(f.type))
               for f in SCHEMAS[dataset] if f.name not in table.columns}
    return table.mutate(**missing) if missing else table


class IbisEngine:
    """Runs plans on one Ibis backend over the files the lake says are committed."""

    def __init__(self, backend: Any, files: FileSource) -> None:
        self.backend = backend
        self.files = files
        # one DuckDB connection is not safe across threads (the web server's pool)
        self._lock = threading.RLock()

    # -- sources --------------------------------------------------------------------------

    @property
    def lock(self) -> Any:
        """Held while building and running a query: other query adapters on this backend
        (adapters/mention_queries.py) share it, since one DuckDB connection serves them all."""
        return self._lock

    def dataset(self, dataset: str, workspace_id: int) -> ir.Table:
        """A dataset's committed files as one table on this backend, read with the lake's
        types (the hook other query adapters build on; call it holding `lock`)."""
        return self._table(dataset, workspace_id)

    def _table(self, dataset: str, workspace_id: int) -> ir.Table:
        paths = [str(p) for p in self.files(workspace_id, dataset)]
        if not paths:
            return self._small_table(SCHEMAS[dataset].empty_table(), dataset)
        if self.backend.name == "duckdb":
            # by name: files written before a dataset gained columns (account totals) lack
            # them, and read as null instead of failing the query
            return _with_schema(
                self.backend.read_parquet(paths, hive_partitioning=False, union_by_name=True),
                dataset)
        if self.backend.name == "pyspark":
            # ibis' pyspark read_parquet takes one path; Spark itself takes many
            name = f"sp_{dataset}_{uuid.uuid4().hex[:12]}"
            frame = self.backend._session.read.schema(_spark_schema(dataset)).parquet(*paths)
            frame.createOrReplaceTempView(name)
            return self.backend.table(name)
        return self.backend.read_parquet(paths)

    def _small_table(self, table: pa.Table, label: str) -> ir.Table:
        """An in-memory table: an Ibis memtable, or a Spark temp view (Spark cannot see memtables
        inside cached expressions)."""
        if self.backend.name != "pyspark":
            return ibis.memtable(table)
        name = f"sp_{label}_{uuid.uuid4().hex[:12]}"
        session = self.backend._session
        if len(table):
            frame = session.createDataFrame(table.to_pandas())
        else:
            from pyspark.sql.types import StructType  # only with the spark extra

            ddl = _spark_schema(label) if label in SCHEMAS else ""
            frame = session.createDataFrame([], StructType.fromDDL(ddl)) if ddl else None
        frame.createOrReplaceTempView(name)
        return self.backend.table(name)

    def _accounts(self, accounts: Iterable[Account]) -> ir.Table:
        rows = [(a.id, a.network.value, a.handle, brand_of(a)) for a in accounts]
        return self._small_table(
            pa.table(
                {
                    "account_id": pa.array([r[0] for r in rows], pa.int64()),
                    "network": pa.array([r[1] for r in rows], pa.string()),
                    "account": pa.array([r[2] for r in rows], pa.string()),
                    "brand": pa.array([r[3] for r in rows], pa.string()),
                }
            ),
            "accounts",
        )

    # -- level 1 ----------------------------------------------------------------------------

    @staticmethod
    def _bucket(col: ir.DateValue, grain: Grain | None) -> ir.DateValue | None:
        if grain is None:
            return None
        if grain is Grain.DAY:
            return col
        return col.truncate(_TRUNC[grain])

    def _keys(self, t: ir.Table, entity: str, date_col: str, grain: Grain | None) -> dict[str, Any]:
        """Level-1 grouping: the entity column, and the time bucket when one is asked for."""
        keys: dict[str, Any] = {entity: t[entity]}
        bucket = self._bucket(t[date_col], grain)
        if bucket is not None:
            keys["bucket"] = bucket
        return keys

    def _posts_level(self, plan: QueryPlan, tz: str) -> ir.Table | None:
        measures = plan.measures("posts")
        ratio_metrics = [pm for pm in plan.metrics if pm.variant.kind == "mean_of_post_ratios"]
        if not measures:
            return None
        q = plan.query
        # only the columns the plan needs go through the window (engines do not always
        # push projections below a window, and the rows are wide)
        needed = sorted({m.column for m in measures if m.column})
        snaps = self._latest_snapshots(q.workspace_id, q.period, tz, needed)
        posts = self._latest_posts(q.workspace_id, ["local_date", "campaign"])
        if q.campaign is not None:
            posts = posts.filter(posts.campaign == q.campaign)
        j = _in_period(snaps.join(posts, ["account_id", "post_id"]), "local_date", q.period)
        if q.account_ids:
            j = j.filter(j.account_id.isin(list(q.account_ids)))
        keys = self._keys(j, "account_id", "local_date", q.breakdown.grain)
        aggs: dict[str, Any] = {}
        for m in measures:
            aggs[_agg_col(m.id)] = (
                j.count().cast("int64") if m.agg == "count" else j[m.column].sum().cast("float64")
            )
        for pm in ratio_metrics:
            num_col, den_col = self._ratio_parts(pm, j)
            s, n = _ratio_cols(pm)
            ratio = ibis.ifelse(den_col > 0, num_col.cast("float64") / den_col, ibis.null())
            aggs[s] = ratio.sum()
            aggs[n] = ratio.count().cast("float64")
        return j.group_by(**keys).aggregate(**aggs)

    def _latest_snapshots(self, workspace_id: int, period: DateRange | None, tz: str,
                          columns: Sequence[str]) -> ir.Table:
        """One snapshot per post: the latest observed before the period ends; a post observed
        only later (an export taken after the period, or counts stamped at import time)
        counts with its earliest later snapshot, the closest value we have."""
        snaps = self._table("post_snapshots", workspace_id).filter(
            lambda t: t.workspace_id == workspace_id
        )
        snaps = snaps.select("account_id", "post_id", "observed_at", "batch_id", *columns)
        order: list[Any] = [snaps.observed_at.desc(), snaps.batch_id.desc()]
        if period is not None:
            cutoff = datetime.combine(period.end_exclusive, time(), ZoneInfo(tz))
            before = snaps.observed_at < ibis.literal(cutoff, "timestamp('UTC')")
            no_ts = ibis.null("timestamp('UTC')")
            # within each side every key is either all null or all set, so engines' different
            # null orderings never matter
            order = [
                before.desc(),
                before.ifelse(snaps.observed_at, no_ts).desc(),
                before.ifelse(no_ts, snaps.observed_at).asc(),
                snaps.batch_id.desc(),
            ]
        latest = ibis.row_number().over(group_by=[snaps.account_id, snaps.post_id],
                                        order_by=order)
        return snaps.mutate(_rn=latest).filter(lambda t: t._rn == 0).drop("_rn")

    def _latest_posts(self, workspace_id: int, columns: Sequence[str]) -> ir.Table:
        """One row per post: the version of the latest batch (later exports correct text,
        type or campaign)."""
        posts = (
            self._table("posts", workspace_id)
            .filter(lambda t: t.workspace_id == workspace_id)
            .select("account_id", "post_id", "batch_id", *columns)
        )
        latest = ibis.row_number().over(group_by=[posts.account_id, posts.post_id],
                                        order_by=[posts.batch_id.desc()])
        return (posts.mutate(_rn=latest).filter(lambda t: t._rn == 0)
                .select("account_id", "post_id", *columns))

    def posts(self, workspace_id: int, account_ids: Sequence[int], period: DateRange | None,
              tz: str, rate: PlannedMetric, sort: str, limit: int, offset: int = 0,
              search: str | None = None) -> tuple[pa.Table, int]:
        """Posts with their counters (latest snapshot as of the period's end) and ``rate``
        (a catalogue metric of post counters, computed per post), sorted by one column,
        highest first; and how many posts match. The same read rules as the metrics, so a
        post list adds up to the metrics of its scope."""
        counters = list(POST_COUNTERS)
        if sort not in (*POST_SORTS, rate.key):
            raise ValueError(f"cannot sort posts by {sort!r}")
        with self._lock:
            posts = self._latest_posts(workspace_id, ["published_at", "local_date", "post_type",
                                                      "text", "url", "campaign"])
            posts = _in_period(posts, "local_date", period)
            posts = posts.filter(posts.account_id.isin(list(account_ids)))
            if search:
                posts = posts.filter(posts.text.lower().contains(search.lower()))
            snaps = self._latest_snapshots(workspace_id, period, tz, counters)
            j = posts.left_join(snaps, ["account_id", "post_id"]).select(
                *[posts[c] for c in posts.columns], *[snaps[c] for c in counters],
                snaps.observed_at)
            value = _row_formula(rate.variant.formula, rate.inputs, j).cast("float64")
            j = j.mutate(**{rate.key: value * 100 if rate.variant.is_rate else value})
            # how many match rides along as a window count: one scan, not a second query
            j = j.mutate(_total=j.post_id.count().over(ibis.window()))
            key = j[sort]
            ties = [j.published_at.desc()] if sort != "published_at" else []
            ordered = j.order_by([key.isnull().asc(), key.desc(), *ties, j.post_id.asc()])
            # the first limit+offset rows, sliced here: Ibis' OFFSET on PySpark leaks its
            # row-number column into the result (pages are small, so this costs nothing);
            # no row at all means no post matched
            head = ordered.limit(limit + offset).to_pyarrow()
            total = int(head["_total"][0].as_py()) if len(head) else 0
            out = head.drop_columns(["_total"]).slice(offset)
        # instants come back in UTC from every engine (Spark hands them over without a zone)
        for name in ("published_at", "observed_at"):
            i = out.schema.get_field_index(name)
            out = out.set_column(i, name, out[name].cast(pa.timestamp("us", tz="UTC")))
        return out, total

    @staticmethod
    def _ratio_parts(pm: PlannedMetric, t: ir.Table) -> tuple[ir.Value, ir.Value]:
        node = pm.variant.formula
        if not isinstance(node, fx.BinOp) or node.op != "/":
            raise ValueError(f"{pm.key}: mean_of_post_ratios needs a formula a / b")

        return (_row_formula(node.left, pm.inputs, t), _row_formula(node.right, pm.inputs, t))

    def _daily_level(self, plan: QueryPlan, totals: Sequence[Measure] = ()) -> ir.Table | None:
        """Daily account rows per account and bucket, with the sums of ``totals`` (post
        counters as account totals) beside the plan's own daily measures."""
        measures = plan.measures("account_daily")
        if not measures and not totals:
            return None
        q = plan.query
        needed = sorted({m.column for m in [*measures, *totals] if m.column})
        d = (
            self._table("account_daily", q.workspace_id)
            .filter(lambda t: t.workspace_id == q.workspace_id)
            .select("account_id", "date", "observed_at", "batch_id", *needed)
        )
        latest = ibis.row_number().over(
            group_by=[d.account_id, d.date],
            order_by=[d.observed_at.desc(), d.batch_id.desc()],
        )
        d = d.mutate(_rn=latest).filter(lambda t: t._rn == 0)
        if q.period is not None:
            d = d.filter(d.date < ibis.literal(q.period.end_exclusive))
        stock_cols = sorted({m.column for m in measures if m.agg == "start" and m.column})
        if stock_cols:
            w = ibis.window(group_by=d.account_id, order_by=d.date)
            d = d.mutate(**{f"_prev_{c}": d[c].lag().over(w) for c in stock_cols})
        if q.period is not None:
            d = d.filter(d.date >= ibis.literal(q.period.start))
        if q.account_ids:
            d = d.filter(d.account_id.isin(list(q.account_ids)))
        keys = self._keys(d, "account_id", "date", q.breakdown.grain)
        aggs: dict[str, Any] = {}
        for m in measures:
            col = d[m.column] if m.column else None
            if m.agg == "sum" and col is not None:
                aggs[_agg_col(m.id)] = col.sum().cast("float64")
            elif m.agg == "count":
                aggs[_agg_col(m.id)] = d.count().cast("float64")
            elif m.agg == "end" and col is not None:
                aggs[_agg_col(m.id)] = col.argmax(d.date, where=col.notnull()).cast("float64")
            elif m.agg == "start" and col is not None:
                start_val = ibis.coalesce(d[f"_prev_{m.column}"], col)
                aggs[_agg_col(m.id)] = start_val.argmin(d.date, where=start_val.notnull()).cast(
                    "float64"
                )
        for m in totals:
            aggs[_total_col(m.id)] = d[m.column].sum().cast("float64")
        return d.group_by(**keys).aggregate(**aggs)

    def _with_totals(self, plan: QueryPlan, first: ir.Table, totals: Sequence[Measure]
                     ) -> ir.Table:
        """The one account-totals rule (docs/metrics.md): an account with per-post data
        anywhere in the workspace is measured from its posts; an account without any takes
        its daily totals instead. One source per account, whatever the period or breakdown,
        so nothing is counted twice and every breakdown adds up to its period."""
        if not totals:
            return first
        snaps = self._table("post_snapshots", plan.query.workspace_id).filter(
            lambda t: t.workspace_id == plan.query.workspace_id)
        has_posts = snaps.group_by(_acc=snaps.account_id).aggregate(_posts=snaps.count())
        j = first.left_join(has_posts, first.account_id == has_posts._acc)
        use_posts = j._posts.notnull()
        return j.mutate(**{
            _agg_col(m.id): use_posts.ifelse(j[_agg_col(m.id)], j[_total_col(m.id)])
            for m in totals
        }).drop("_acc", "_posts", *[_total_col(m.id) for m in totals])

    def _mentions_level(self, plan: QueryPlan, tz: str) -> ir.Table | None:
        measures = plan.measures("mentions")
        if not measures:
            return None
        q = plan.query
        t = self._table("mentions", q.workspace_id).filter(
            lambda x: x.workspace_id == q.workspace_id
        )
        latest = ibis.row_number().over(
            group_by=[t.mention_id, t.brand_id], order_by=[t.batch_id.desc()]
        )
        t = _in_period(t.mutate(_rn=latest).filter(lambda x: x._rn == 0), "local_date", q.period)
        if q.networks:
            t = t.filter(t.network.isin(list(q.networks)))
        keys = self._keys(t, "network", "local_date", q.breakdown.grain)
        aggs: dict[str, Any] = {}
        for m in measures:
            if not m.where:
                aggs[_agg_col(m.id)] = t.count().cast("float64")
                continue
            conds = [t[col] == ibis.literal(val) for col, val in m.where]
            cond = conds[0]
            for c in conds[1:]:
                cond = cond & c
            aggs[_agg_col(m.id)] = cond.ifelse(1, 0).sum().cast("float64")
        return t.group_by(**keys).aggregate(**aggs)

    def first_level(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> ir.Table:
        """One row per account (or network, for mentions) and bucket, with every measure."""
        all_measures = {m.id for ds in plan.datasets for m in plan.measures(ds)}
        ratio_cols = [
            c
            for pm in plan.metrics
            if pm.variant.kind == "mean_of_post_ratios"
            for c in _ratio_cols(pm)
        ]
        totals = _totals_for(plan) if self.files(plan.query.workspace_id, "account_daily") else []
        value_cols = [*(_agg_col(m) for m in sorted(all_measures)), *ratio_cols,
                      *(_total_col(m.id) for m in totals)]
        acc = self._accounts(accounts)
        if plan.query.networks:
            acc = acc.filter(acc.network.isin(list(plan.query.networks)))
        parts: list[ir.Table] = []
        grain = plan.query.breakdown.grain
        for level in (self._posts_level(plan, tz), self._daily_level(plan, totals)):
            if level is None:
                continue
            level = level.join(acc, "account_id")
            parts.append(self._shape(level, value_cols, grain, with_account=True))
        mentions = self._mentions_level(plan, tz)
        if mentions is not None:
            parts.append(self._shape(mentions, value_cols, grain, with_account=False))
        union = parts[0]
        for p in parts[1:]:
            union = union.union(p, distinct=False)
        keys = ["account_id", "account", "brand", "network", *(["bucket"] if grain else [])]
        first = union.group_by(keys).aggregate(**{c: union[c].sum() for c in value_cols})
        return self._with_totals(plan, first, totals)

    @staticmethod
    def _shape(
        t: ir.Table, value_cols: list[str], grain: Grain | None, with_account: bool
    ) -> ir.Table:
        cols: dict[str, Any] = {
            "account_id": t.account_id if with_account else ibis.null("int64"),
            "account": t.account if with_account else ibis.null("string"),
            "brand": t.brand if with_account else ibis.null("string"),
            "network": t.network,
        }
        if grain is not None:
            cols["bucket"] = t.bucket.cast("date")
        for c in value_cols:
            cols[c] = t[c].cast("float64") if c in t.columns else ibis.null("float64")
        return t.select(**cols)

    # -- level 2 ----------------------------------------------------------------------------

    def second_level(self, plan: QueryPlan, first: ir.Table) -> ir.Table:
        """Group to the requested breakdown and evaluate every metric's formula."""
        measures_used = {m.id: m for pm in plan.metrics for m in pm.inputs}
        # does the account provide the measure anywhere in the scope?
        provides = first.group_by("account_id").aggregate(
            **{f"has__{mid}": first[_agg_col(mid)].count() for mid in measures_used}
        )
        t = first.left_join(provides, first.account_id == provides.account_id).drop(
            "account_id_right"
        )
        groups: dict[str, Any] = {}
        if plan.query.breakdown.grain is not None:
            groups["period"] = t.bucket
        for dim in plan.query.breakdown.entities:
            groups[dim] = t[dim]
        if "account" in groups:  # handles repeat across networks (@acme on X and TikTok)
            groups["account_id"] = t.account_id
        aggs: dict[str, Any] = {}
        for i, pm in enumerate(plan.metrics):
            eligible = ibis.literal(True)
            for m in pm.inputs:
                if m.dataset != "mentions":
                    eligible = eligible & (t[f"has__{m.id}"] > 0)
            if pm.variant.kind == "mean_of_post_ratios":
                s, n = _ratio_cols(pm)
                aggs[f"v{i}__s"] = eligible.ifelse(t[s], ibis.null("float64")).sum()
                aggs[f"v{i}__n"] = eligible.ifelse(t[n], ibis.null("float64")).sum()
                continue
            for m in pm.inputs:
                raw = t[_agg_col(m.id)]
                val = ibis.coalesce(raw, 0.0) if m.additive else raw
                aggs[f"v{i}__{m.id}"] = eligible.ifelse(val, ibis.null("float64")).sum()
        g = t.group_by(**groups).aggregate(**aggs) if groups else t.aggregate(**aggs)
        out: dict[str, Any] = {k: g[k] for k in groups}
        for i, pm in enumerate(plan.metrics):
            if pm.variant.kind == "mean_of_post_ratios":
                value = g[f"v{i}__s"] / g[f"v{i}__n"].nullif(0)
            else:

                def column(name: str, i: int = i) -> Any:
                    return g[f"v{i}__{name}"]

                value = fx.fold(
                    pm.variant.formula,
                    lambda v: ibis.literal(v, "float64"),
                    column,
                    lambda a: -a,
                    _binop,
                )
            if pm.variant.is_rate:
                value = value * 100
            out[pm.key] = value
        result = g.select(**out)
        order = [c for c in ("period", "brand", "network", "account", "account_id")
                 if c in groups]
        return result.order_by(order) if order else result

    # -- running ----------------------------------------------------------------------------

    def compile(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> ir.Table:
        return self.second_level(plan, self.first_level(plan, accounts, tz))

    def sql(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> str:
        with self._lock:
            return str(ibis.to_sql(self.compile(plan, accounts, tz), dialect=self._dialect()))

    def _dialect(self) -> str:
        return str(self.backend.name)

    def run(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> EngineResult:
        with self._lock:
            first = self.first_level(plan, accounts, tz).cache()
            try:
                missing, excluded = self._diagnose(plan, first)
                table = self.second_level(plan, first).to_pyarrow()
            finally:
                first.release()
        rows = table.to_pylist()
        for r in rows:
            if isinstance(r.get("period"), datetime):
                r["period"] = r["period"].date()
            for pm in plan.metrics:
                if pm.key in missing:
                    r[pm.key] = None
        return EngineResult(
            columns=table.column_names, rows=rows, missing=missing, excluded=excluded
        )

    @staticmethod
    def _diagnose(
        plan: QueryPlan, first: ir.Table
    ) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
        """Which inputs no account provides, and which accounts a metric had to leave out."""
        used = sorted({m.id for pm in plan.metrics for m in pm.inputs})
        per_account = (
            first.group_by("account_id")
            .aggregate(**{mid: first[_agg_col(mid)].count() for mid in used})
            .to_pyarrow()
            .to_pylist()
        )
        missing: dict[str, list[str]] = {}
        excluded: dict[str, list[int]] = {}
        for pm in plan.metrics:
            lacking = [m.id for m in pm.inputs if not any(row[m.id] for row in per_account)]
            if lacking:
                missing[pm.key] = lacking
                continue
            if any(m.dataset == "mentions" for m in pm.inputs):
                continue
            left_out = [
                int(row["account_id"])
                for row in per_account
                if row["account_id"] is not None
                and any(row[m.id] for m in pm.inputs)
                and not all(row[m.id] for m in pm.inputs)
            ]
            if left_out:
                excluded[pm.key] = sorted(left_out)
        return missing, excluded


POST_SORTS = datasets.POST_SORTS


def _in_period(t: ir.Table, date_col: str, period: DateRange | None) -> ir.Table:
    """Rows whose local date falls in the period (all rows without one)."""
    if period is None:
        return t
    return t.filter(
        (t[date_col] >= ibis.literal(period.start))
        & (t[date_col] < ibis.literal(period.end_exclusive))
    )


def _spark_schema(dataset: str) -> str:
    """A DDL schema so Spark reads the files with the lake's types (no inference)."""
    kinds = {
        "int64": "BIGINT",
        "string": "STRING",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
        "date32[day]": "DATE",
        "timestamp[us, tz=UTC]": "TIMESTAMP",
    }
    return ", ".join(f"`{f.name}` {kinds[str(f.type)]}" for f in SCHEMAS[dataset])


def _measure_column(name: str, inputs: Sequence[Measure]) -> str:
    for m in inputs:
        if m.id == name and m.column:
            return m.column
    raise ValueError(f"measure {name} has no column")


def _row_formula(node: fx.Node, inputs: Sequence[Measure], t: ir.Table) -> ir.Value:
    """A formula over one row's measure columns (a post's counters); x / 0 is null."""
    return fx.fold(node, lambda v: ibis.literal(v), lambda name: t[_measure_column(name, inputs)],
                   lambda a: -a, _binop)


def _binop(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b.nullif(0)


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None
