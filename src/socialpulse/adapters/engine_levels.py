"""Level 1 of the engine: each measured dataset aggregated per account (or network) and bucket.

The dataset registry (`domain/datasets.py`) says which rule a dataset follows (its level
kind); `LEVELS` maps each kind to its builder here, so a new dataset of an existing kind needs
no engine code. The rules (docs/DESIGN-NOTES.md, "Two levels"):

- *post snapshots*: the latest snapshot of each post observed before the period ends (a post
  observed only later takes its earliest later snapshot), joined to the post's latest
  attributes and filtered by its local publication day; for settled snapshots (validity
  intervals and the post's attributes stored with them, adapters/lake_intervals.py) a range
  filter inside one scan, the window and the join only for posts that newer batches touch;
- *daily rows*: the latest row per account and day; stocks read at the bucket's end (ARG_MAX)
  and just before its start (LAG, then ARG_MIN); beside them, the account's daily totals of
  post counters for accounts without per-post data;
- *events*: the latest row per natural key, counted per network and local day, with each
  measure's ``where`` filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from socialpulse.domain import datasets
from socialpulse.domain.datasets import LevelKind, MeasuredDataset
from socialpulse.domain.metrics import Measure
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import QueryPlan

from .engine_sql import (
    TableSource,
    agg_col,
    group_keys,
    in_period,
    ratio_cols,
    ratio_parts,
    total_col,
)
from .lake_intervals import (
    BEGIN_US,
    END_US,
    INTERVAL_COLUMNS,
    POST_ATTRIBUTES,
    POST_FOUND,
    REST,
    SETTLED,
    VALID_FROM,
    VALID_TO,
    part_name,
)

LevelBuilder = Callable[[TableSource, QueryPlan, str, Sequence[Measure], MeasuredDataset],
                        "ir.Table | None"]


def _cutoff(period: DateRange | None, tz: str) -> datetime | None:
    """The instant a period ends (its last local day's end, in UTC terms); None: no period."""
    if period is None:
        return None
    return datetime.combine(period.end_exclusive, time(), ZoneInfo(tz))


def _by_window(snaps: ir.Table, cutoff: datetime | None) -> ir.Table:
    """The snapshot rule as a window over each post's rows (any batches, no intervals)."""
    order: list[Any] = [snaps.observed_at.desc(), snaps.batch_id.desc()]
    if cutoff is not None:
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


def _in_interval(t: ir.Table, cutoff: datetime | None) -> ir.BooleanValue:
    """Whether a settled snapshot is the one that counts for a period ending at ``cutoff``
    (no period: the latest snapshot, whose interval is open)."""
    end = ibis.literal(datetime.fromtimestamp(END_US / 1e6, UTC), "timestamp('UTC')")
    if cutoff is None:
        return t[VALID_TO] == end
    e = ibis.literal(cutoff, "timestamp('UTC')")
    return (t[VALID_FROM] < e) & (t[VALID_TO] >= e)


def _read(src: TableSource, name: str, workspace_id: int, columns: Sequence[str]) -> ir.Table:
    return src(name, workspace_id).filter(lambda x: x.workspace_id == workspace_id).select(
        *columns)


def _with(base: Sequence[str], columns: Sequence[str]) -> list[str]:
    """``base`` and then those of ``columns`` it lacks (a caller may ask for observed_at)."""
    return [*base, *(c for c in columns if c not in base)]


def _in_range(cutoff: datetime | None) -> bool:
    """Whether intervals can answer for this cut-off (their open ends are finite instants)."""
    return cutoff is None or BEGIN_US < cutoff.timestamp() * 1e6 < END_US


def _parted(src: TableSource, dataset: str, workspace_id: int, columns: Sequence[str],
            pick: Callable[[ir.Table], ir.Table],
            settled_pick: Callable[[ir.Table], ir.Table]) -> ir.Table:
    """One row per post of a dataset read in parts (adapters/lake_intervals.py): the settled
    batch through ``settled_pick`` (no window) for posts no other batch touches, and ``pick``
    (the window) over every row of the few posts that other batches touch."""
    def read(name: str, extra: Sequence[str] = ()) -> ir.Table:
        return _read(src, name, workspace_id, [*columns, *extra])

    parts = src.parts(dataset, workspace_id)
    if SETTLED not in parts:
        return pick(read(dataset))
    extra = INTERVAL_COLUMNS if dataset == "post_snapshots" else ()
    settled = read(part_name(dataset, SETTLED), extra)
    quiet = settled_pick(settled).select(*columns)
    if REST not in parts:
        return quiet
    rest = read(part_name(dataset, REST))
    touched = rest.select("account_id", "post_id").distinct()
    quiet = quiet.anti_join(touched, ["account_id", "post_id"])
    mixed = settled.select(*columns).semi_join(touched, ["account_id", "post_id"])
    return quiet.union(pick(mixed.union(rest)), distinct=False)


def latest_snapshots(src: TableSource, workspace_id: int, period: DateRange | None, tz: str,
                     columns: Sequence[str]) -> ir.Table:
    """One snapshot per post: the latest observed before the period ends; a post observed
    only later (an export taken after the period, or counts stamped at import time)
    counts with its earliest later snapshot, the closest value we have. Settled snapshots
    answer by their validity interval, a filter inside the scan (adapters/lake_intervals.py)."""
    cutoff = _cutoff(period, tz)
    cols = _with(["account_id", "post_id", "observed_at", "batch_id"], columns)
    if not _in_range(cutoff):
        return _by_window(_read(src, "post_snapshots", workspace_id, cols), cutoff)
    return _parted(src, "post_snapshots", workspace_id, cols,
                   lambda t: _by_window(t, cutoff),
                   lambda t: t.filter(_in_interval(t, cutoff)))


def latest_posts(src: TableSource, workspace_id: int, columns: Sequence[str]) -> ir.Table:
    """One row per post: the version of the latest batch (later exports correct text,
    type or campaign). The settled batch holds one row per post, so only posts that other
    batches touch need the window."""
    def by_window(posts: ir.Table) -> ir.Table:
        latest = ibis.row_number().over(group_by=[posts.account_id, posts.post_id],
                                        order_by=[posts.batch_id.desc()])
        return posts.mutate(_rn=latest).filter(lambda t: t._rn == 0).drop("_rn")

    cols = ["account_id", "post_id", "batch_id", *columns]
    return _parted(src, "posts", workspace_id, cols, by_window,
                   lambda t: t).select("account_id", "post_id", *columns)


def snapshots_with_posts(src: TableSource, workspace_id: int, period: DateRange | None,
                         tz: str, columns: Sequence[str], attrs: Sequence[str]) -> ir.Table:
    """Each post's snapshot for the period (`latest_snapshots`) with the post's latest
    ``attrs`` (`latest_posts`). Posts of the settled batch that no other batch touches carry
    both in their settled snapshot rows: one filtered scan, no window and no join
    (adapters/lake_intervals.py). Posts that other batches touch are joined as before."""
    cutoff = _cutoff(period, tz)
    keys = ["account_id", "post_id"]
    out = [*keys, *columns, *attrs]
    if (SETTLED not in src.parts("post_snapshots", workspace_id) or not _in_range(cutoff)
            or not set(attrs) <= set(POST_ATTRIBUTES)):
        return latest_snapshots(src, workspace_id, period, tz, columns).join(
            latest_posts(src, workspace_id, attrs), keys).select(*out)
    settled = _read(src, part_name("post_snapshots", SETTLED), workspace_id,
                    [*keys, *columns, VALID_FROM, VALID_TO, POST_FOUND,
                     *(POST_ATTRIBUTES[a] for a in attrs)])
    quiet = settled.filter(_in_interval(settled, cutoff) & settled[POST_FOUND]).select(
        *keys, *columns, **{a: settled[POST_ATTRIBUTES[a]] for a in attrs})
    rest = [_read(src, part_name(d, REST), workspace_id, keys) for d in ("post_snapshots", "posts")
            if REST in src.parts(d, workspace_id)]
    if not rest:
        return quiet
    touched = rest[0] if len(rest) == 1 else rest[0].union(rest[1])
    touched = touched.distinct()
    snaps = _by_window(_read(src, "post_snapshots", workspace_id,
                             _with([*keys, "observed_at", "batch_id"], columns)
                             ).semi_join(touched, keys), cutoff)
    posts = latest_posts(src, workspace_id, attrs).semi_join(touched, keys)
    return quiet.anti_join(touched, keys).union(
        snaps.join(posts, keys).select(*out), distinct=False)


def post_snapshots_level(src: TableSource, plan: QueryPlan, tz: str,
                         totals: Sequence[Measure], spec: MeasuredDataset) -> ir.Table | None:
    """Post measures per account and bucket (and the sums behind mean-of-post-ratios)."""
    measures = plan.measures(spec.name)
    ratio_metrics = [pm for pm in plan.metrics if pm.variant.kind == "mean_of_post_ratios"]
    if not measures:
        return None
    q = plan.query
    # only the columns the plan needs go through the window (engines do not always
    # push projections below a window, and the rows are wide)
    needed = sorted({m.column for m in measures if m.column})
    j = snapshots_with_posts(src, q.workspace_id, q.period, tz, needed,
                             [spec.time_column, "campaign"])
    if q.campaign is not None:
        j = j.filter(j.campaign == q.campaign)
    j = in_period(j, spec.time_column, q.period)
    if q.account_ids:
        j = j.filter(j.account_id.isin(list(q.account_ids)))
    keys = group_keys(j, spec.entity, spec.time_column, q.breakdown.grain)
    aggs: dict[str, Any] = {}
    for m in measures:
        aggs[agg_col(m.id)] = (
            j.count().cast("int64") if m.agg == "count" else j[m.column].sum().cast("float64")
        )
    for pm in ratio_metrics:
        num_col, den_col = ratio_parts(pm, j)
        s, n = ratio_cols(pm)
        ratio = ibis.ifelse(den_col > 0, num_col.cast("float64") / den_col, ibis.null())
        aggs[s] = ratio.sum()
        aggs[n] = ratio.count().cast("float64")
    return j.group_by(**keys).aggregate(**aggs)


def _latest_days(src: TableSource, plan: QueryPlan, spec: MeasuredDataset,
                 needed: Sequence[str]) -> ir.Table:
    """The latest row per account and day (observation time, then batch)."""
    q = plan.query
    day = spec.time_column
    d = (
        src(spec.reads[0], q.workspace_id)
        .filter(lambda t: t.workspace_id == q.workspace_id)
        .select("account_id", day, "observed_at", "batch_id", *needed)
    )
    latest = ibis.row_number().over(
        group_by=[d.account_id, d[day]],
        order_by=[d.observed_at.desc(), d.batch_id.desc()],
    )
    return d.mutate(_rn=latest).filter(lambda t: t._rn == 0)


def daily_rows_level(src: TableSource, plan: QueryPlan, tz: str, totals: Sequence[Measure],
                     spec: MeasuredDataset) -> ir.Table | None:
    """Daily account rows per account and bucket, with the sums of ``totals`` (post
    counters as account totals) beside the plan's own daily measures."""
    measures = plan.measures(spec.name)
    if not measures and not totals:
        return None
    q = plan.query
    day = spec.time_column
    d = _latest_days(src, plan, spec, sorted({m.column for m in [*measures, *totals]
                                               if m.column}))
    if q.period is not None:
        d = d.filter(d[day] < ibis.literal(q.period.end_exclusive))
    stock_cols = sorted({m.column for m in measures if m.agg == "start" and m.column})
    if stock_cols:
        w = ibis.window(group_by=d.account_id, order_by=d[day])
        d = d.mutate(**{f"_prev_{c}": d[c].lag().over(w) for c in stock_cols})
    if q.period is not None:
        d = d.filter(d[day] >= ibis.literal(q.period.start))
    if q.account_ids:
        d = d.filter(d.account_id.isin(list(q.account_ids)))
    keys = group_keys(d, spec.entity, day, q.breakdown.grain)
    aggs: dict[str, Any] = {agg_col(m.id): _daily_agg(d, m, day) for m in measures}
    aggs = {k: v for k, v in aggs.items() if v is not None}
    for m in totals:
        aggs[total_col(m.id)] = d[m.column].sum().cast("float64")
    return d.group_by(**keys).aggregate(**aggs)


def _daily_agg(d: ir.Table, m: Measure, day: str) -> Any:
    """One daily measure over a bucket's days (None: a measure the rules cannot compute)."""
    col = d[m.column] if m.column else None
    if m.agg == "sum" and col is not None:
        return col.sum().cast("float64")
    if m.agg == "count":
        return d.count().cast("float64")
    if m.agg == "end" and col is not None:
        return col.argmax(d[day], where=col.notnull()).cast("float64")
    if m.agg == "start" and col is not None:
        start_val = ibis.coalesce(d[f"_prev_{m.column}"], col)
        return start_val.argmin(d[day], where=start_val.notnull()).cast("float64")
    return None


def events_level(src: TableSource, plan: QueryPlan, tz: str, totals: Sequence[Measure],
                 spec: MeasuredDataset) -> ir.Table | None:
    """Events (mentions) per network and bucket: the latest row per natural key, each
    measure counting the rows its ``where`` filter keeps."""
    measures = plan.measures(spec.name)
    if not measures:
        return None
    q = plan.query
    stored = datasets.STORED[spec.reads[0]]
    t = src(stored.name, q.workspace_id).filter(
        lambda x: x.workspace_id == q.workspace_id
    )
    latest = ibis.row_number().over(
        group_by=[t[k] for k in stored.natural_key], order_by=[t.batch_id.desc()]
    )
    t = in_period(t.mutate(_rn=latest).filter(lambda x: x._rn == 0), spec.time_column,
                  q.period)
    if q.networks:
        t = t.filter(t.network.isin(list(q.networks)))
    keys = group_keys(t, spec.entity, spec.time_column, q.breakdown.grain)
    aggs: dict[str, Any] = {}
    for m in measures:
        if not m.where:
            aggs[agg_col(m.id)] = t.count().cast("float64")
            continue
        conds = [t[col] == ibis.literal(val) for col, val in m.where]
        cond = conds[0]
        for c in conds[1:]:
            cond = cond & c
        aggs[agg_col(m.id)] = cond.ifelse(1, 0).sum().cast("float64")
    return t.group_by(**keys).aggregate(**aggs)


#: The level-1 rule of each level kind of the registry.
LEVELS: dict[LevelKind, LevelBuilder] = {
    "post_snapshots": post_snapshots_level,
    "daily_rows": daily_rows_level,
    "events": events_level,
}


def with_totals(src: TableSource, plan: QueryPlan, first: ir.Table,
                totals: Sequence[Measure]) -> ir.Table:
    """The one account-totals rule (docs/metrics.md): an account with per-post data
    anywhere in the workspace is measured from its posts; an account without any takes
    its daily totals instead. One source per account, whatever the period or breakdown,
    so nothing is counted twice and every breakdown adds up to its period."""
    if not totals:
        return first
    snaps = src("post_snapshots", plan.query.workspace_id).filter(
        lambda t: t.workspace_id == plan.query.workspace_id)
    has_posts = snaps.group_by(_acc=snaps.account_id).aggregate(_posts=snaps.count())
    j = first.left_join(has_posts, first.account_id == has_posts._acc)
    use_posts = j._posts.notnull()
    return j.mutate(**{
        agg_col(m.id): use_posts.ifelse(j[agg_col(m.id)], j[total_col(m.id)])
        for m in totals
    }).drop("_acc", "_posts", *[total_col(m.id) for m in totals])
