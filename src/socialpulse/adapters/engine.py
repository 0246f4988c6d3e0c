"""Compile metric query plans to Ibis and run them on DuckDB (default) or PySpark.

Two levels, both portable SQL (no interval RANGE windows):

1. *Per account and bucket* (`engine_levels`): each measured dataset of the plan aggregated by
   the rule of its level kind in the dataset registry (post snapshots, daily account rows,
   events), then unioned into one table.
2. *Per requested group* (`engine_second`): for each metric, only accounts that provide every
   input in the scope contribute (so engagements of accounts without impressions never inflate
   a rate); additive inputs count as zero in buckets without rows. Sums first, then divide.

This module holds the engine itself: where tables come from on each backend, the union of
level 1, the post list, and running or explaining a plan.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from socialpulse.adapters.lake import SCHEMAS
from socialpulse.adapters.lake_intervals import (
    INTERVAL_COLUMNS,
    SETTLED,
    SPARK_TYPES,
    parse_part,
    settled_batch,
    split,
)
from socialpulse.domain import datasets
from socialpulse.domain.models import Account
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import PlannedMetric, QueryPlan, brand_of

from .engine_levels import LEVELS, with_totals
from .engine_posts import post_list
from .engine_second import diagnose, second_level
from .engine_sql import (
    agg_col,
    ratio_cols,
    spark_schema,
    total_col,
    utc_instants,
)
from .engine_sql import totals_for as _totals_for

FileSource = Callable[[int, str], Sequence[Path]]

#: DuckDB connections the engine's queries may use at once (each an in-memory database of its
#: own, made on first need): enough that a query waiting on the GIL (Ibis compiling) does not
#: hold the next one back, few enough that parallel scans do not thrash two cores' caches.
CONNECTIONS = 4

#: What a post list can be sorted by besides its rate (the registry's list).
POST_SORTS = datasets.POST_SORTS


@dataclass
class EngineResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    missing: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[int]] = field(default_factory=dict)


def _with_schema(table: ir.Table, dataset: str) -> ir.Table:
    """The dataset's columns, typed nulls where every file predates a column (union by name
    only adds a column that at least one file has)."""
    missing = {f.name: ibis.null().cast(ibis.dtype(f.type))
               for f in SCHEMAS[dataset] if f.name not in table.columns}
    return table.mutate(**missing) if missing else table


def _drop_views(backend: Any) -> None:
    """Forget the views a query registered for its files (Ibis names each read anew), so a
    pooled connection's catalogue does not grow with every query it ran."""
    names = [r[0] for r in backend.con.execute(
        "SELECT view_name FROM duckdb_views() "
        "WHERE temporary AND view_name LIKE 'ibis_read_parquet_%'").fetchall()]
    for name in names:
        backend.con.execute(f'DROP VIEW IF EXISTS "{name}"')


@dataclass(frozen=True)
class _Source:
    """The engine's tables as the levels read them (engine_sql.TableSource)."""

    engine: IbisEngine

    def __call__(self, dataset: str, workspace_id: int) -> ir.Table:
        return self.engine._table(dataset, workspace_id)

    def parts(self, dataset: str, workspace_id: int) -> frozenset[str]:
        return self.engine.parts(dataset, workspace_id)


class IbisEngine:
    """Runs plans on one Ibis backend over the files the lake says are committed."""

    def __init__(self, backend: Any, files: FileSource,
                 connections: int = CONNECTIONS) -> None:
        self.backend = backend
        self.files = files
        # the shared backend serves other query adapters under this lock (one DuckDB
        # connection is not safe across threads); the engine's own queries take a connection
        # of their own from the pool below, so pages run their queries side by side
        self._lock = threading.RLock()
        self._source = _Source(self)
        self._local = threading.local()
        self._idle: list[Any] = []
        self._idle_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, connections))

    # -- sources --------------------------------------------------------------------------

    @property
    def lock(self) -> Any:
        """Held while building and running a query on `backend`: other query adapters
        (adapters/mention_queries.py) share it, since one DuckDB connection serves them all."""
        return self._lock

    @contextmanager
    def _session(self) -> Iterator[Any]:
        """A backend of this thread's own for one query (nested calls reuse it), with its file
        lists pinned until the outermost call ends.

        DuckDB: one of at most ``connections`` in-memory databases, each used by one thread
        at a time; DuckDB runs a query without the GIL, so queries of several requests run in
        parallel instead of queueing behind one connection. Other backends (one Spark
        session) are shared, under `lock`."""
        held = getattr(self._local, "backend", None)
        if held is not None:
            yield held
            return
        if self.backend.name != "duckdb":
            with self._lock:
                yield from self._bound(self.backend)
            return
        with self._slots:
            with self._idle_lock:
                own = self._idle.pop() if self._idle else None
            if own is None:
                own = ibis.duckdb.connect()
            try:
                yield from self._bound(own)
            finally:
                _drop_views(own)
                with self._idle_lock:
                    self._idle.append(own)

    def _bound(self, backend: Any) -> Iterator[Any]:
        self._local.backend, self._local.pin = backend, {}
        try:
            yield backend
        finally:
            self._local.backend = self._local.pin = None

    def _current(self) -> Any:
        """The backend this thread's query runs on (`backend` outside a session)."""
        return getattr(self._local, "backend", None) or self.backend

    def dataset(self, dataset: str, workspace_id: int) -> ir.Table:
        """A dataset's committed files as one table on this backend, read with the lake's
        types (the hook other query adapters build on; call it holding `lock`)."""
        return self._table(dataset, workspace_id)

    def parts(self, dataset: str, workspace_id: int) -> frozenset[str]:
        """Which parts of a dataset have files (adapters/lake_intervals.py): ``settled``, the
        batch whose snapshots carry validity intervals, and ``rest``, every other batch."""
        return frozenset(k for k, v in self._split(dataset, workspace_id).items() if v)

    def _split(self, dataset: str, workspace_id: int) -> dict[str, list[str]]:
        snaps = tuple(self._listed(workspace_id, "post_snapshots"))
        return split(self._listed(workspace_id, dataset), settled_batch(snaps))

    def _listed(self, workspace_id: int, dataset: str) -> list[str]:
        """A dataset's committed files, listed once per query while one is being built: its
        parts (settled batch, the rest) must come from one state of the ledger, even when a
        compaction swaps the batches in between."""
        pin = getattr(self._local, "pin", None)
        if pin is None:
            return [str(p) for p in self.files(workspace_id, dataset)]
        key = (workspace_id, dataset)
        if key not in pin:
            pin[key] = [str(p) for p in self.files(workspace_id, dataset)]
        return pin[key]  # type: ignore[no-any-return]

    def _table(self, dataset: str, workspace_id: int) -> ir.Table:
        """A dataset's committed files, or one part of them (``post_snapshots@settled``)."""
        dataset, part = parse_part(dataset)
        if part is None:
            paths = self._listed(workspace_id, dataset)
        else:
            paths = self._split(dataset, workspace_id)[part]
        if not paths:
            return self._small_table(SCHEMAS[dataset].empty_table(), dataset)
        intervals = part == SETTLED and dataset == "post_snapshots"
        backend = self._current()
        if backend.name == "duckdb":
            # by name: files written before a dataset gained columns (account totals) lack
            # them, and read as null instead of failing the query
            return _with_schema(
                backend.read_parquet(paths, hive_partitioning=False, union_by_name=True),
                dataset)
        if backend.name == "pyspark":
            # ibis' pyspark read_parquet takes one path; Spark itself takes many
            name = f"sp_{dataset}_{uuid.uuid4().hex[:12]}"
            ddl = spark_schema(dataset) + "".join(
                f", `{c}` {SPARK_TYPES[c]}" for c in INTERVAL_COLUMNS if intervals)
            frame = backend._session.read.schema(ddl).parquet(*paths)
            frame.createOrReplaceTempView(name)
            return backend.table(name)
        return backend.read_parquet(paths)

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

            ddl = spark_schema(label) if label in SCHEMAS else ""
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

    def first_level(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> ir.Table:
        """One row per account (or network, for events) and bucket, with every measure: each
        measured dataset by the rule of its level kind (registry order), then unioned."""
        all_measures = {m.id for ds in plan.datasets for m in plan.measures(ds)}
        ratio = [c for pm in plan.metrics if pm.variant.kind == "mean_of_post_ratios"
                 for c in ratio_cols(pm)]
        totals = _totals_for(plan) if self.files(plan.query.workspace_id, "account_daily") else []
        value_cols = [*(agg_col(m) for m in sorted(all_measures)), *ratio,
                      *(total_col(m.id) for m in totals)]
        acc = self._accounts(accounts)
        if plan.query.networks:
            acc = acc.filter(acc.network.isin(list(plan.query.networks)))
        grain = plan.query.breakdown.grain
        parts: list[ir.Table] = []
        for spec in datasets.MEASURED.values():
            # daily rows carry the post counters' account totals even with no daily measure
            level = LEVELS[spec.level](self._source, plan, tz,
                                       totals if spec.level == "daily_rows" else (), spec)
            if level is None:
                continue
            if spec.entity == "account_id":
                parts.append(self._shape(level.join(acc, "account_id"), value_cols, grain,
                                         with_account=True))
            else:
                parts.append(self._shape(level, value_cols, grain, with_account=False))
        union = parts[0]
        for p in parts[1:]:
            union = union.union(p, distinct=False)
        keys = ["account_id", "account", "brand", "network", *(["bucket"] if grain else [])]
        first = union.group_by(keys).aggregate(**{c: union[c].sum() for c in value_cols})
        return with_totals(self._source, plan, first, totals)

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

    # -- the post list ----------------------------------------------------------------------

    def posts(self, workspace_id: int, account_ids: Sequence[int], period: DateRange | None,
              tz: str, rate: PlannedMetric, sort: str, limit: int, offset: int = 0,
              search: str | None = None) -> tuple[pa.Table, int]:
        """Posts with their counters (latest snapshot as of the period's end) and ``rate``
        (a catalogue metric of post counters, computed per post), sorted by one column,
        highest first; and how many posts match. The same read rules as the metrics, so a
        post list adds up to the metrics of its scope (adapters/engine_posts.py)."""
        if sort not in (*POST_SORTS, rate.key):
            raise ValueError(f"cannot sort posts by {sort!r}")
        with self._session():
            head = post_list(self._source, workspace_id, account_ids, period, tz, rate, sort,
                             limit + offset, search)
        # the first limit+offset rows, sliced here: Ibis' OFFSET on PySpark leaks its
        # row-number column into the result (pages are small, so this costs nothing);
        # no row at all means no post matched
        total = int(head["_total"][0].as_py()) if len(head) else 0
        out = head.drop_columns(["_total"]).slice(offset)
        return utc_instants(out), total

    # -- running ----------------------------------------------------------------------------

    def compile(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> ir.Table:
        return second_level(plan, self.first_level(plan, accounts, tz))

    def sql(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> str:
        with self._session():
            return str(ibis.to_sql(self.compile(plan, accounts, tz), dialect=self._dialect()))

    def _dialect(self) -> str:
        return str(self.backend.name)

    def run(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> EngineResult:
        with self._session():
            first = self.first_level(plan, accounts, tz).cache()
            try:
                missing, excluded = diagnose(plan, first)
                table = second_level(plan, first).to_pyarrow()
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

