"""The post list on the engine: what was published, with its counters, best first.

The read rules are the metrics' own (`engine_levels`): each post's latest version, and its
snapshot for the period (the latest observed before the period ends). The list is sorted by one
column, highest first (no value last), then newest first, then by post id.

Two ways to the same page (tests/core/test_post_list.py compares them):

- *By a counter or the rate* (the Posts page's default, and the Overview's top posts): settled
  snapshots carry their post's day (adapters/lake_intervals.py), so the best values of a
  period come from a filtered scan of the sort column and a top-N; a second scan reads whole
  rows only where the value reaches the page's last one (a range filter the Parquet reader
  applies before it decodes the other columns), and only those rows, held as a small table,
  are joined to their posts.
  How many match is a count of the posts alone.
- *The general query*, for sorting by publication time, for a search in the text, and for
  pages that reach posts without the value or ties that go on past twice the page: the
  matching posts left-joined to their snapshots on the narrow columns the order needs, a
  top-N, and the text and link for the page's rows only.

On 10M snapshot rows the first takes two narrow scans where the general query joins 1.25M
posts to 2.5M snapshots (bench/bench_posts.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from socialpulse.domain import datasets
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import PlannedMetric

from .engine_levels import latest_posts, latest_snapshots, snapshots_with_posts
from .engine_sql import TableSource, in_period, row_formula

#: A post's own columns in a post list (its counters come from its snapshot).
POST_COLUMNS = ("published_at", "local_date", "post_type", "text", "url", "campaign")
#: A snapshot's columns in a post list.
SNAPSHOT_COLUMNS = (*datasets.POST_COUNTERS, "observed_at")
_KEYS = ["account_id", "post_id"]


def post_list(src: TableSource, workspace_id: int, account_ids: Sequence[int],
              period: DateRange | None, tz: str, rate: PlannedMetric, sort: str, rows: int,
              search: str | None = None) -> pa.Table:
    """The first ``rows`` posts of the list, each with ``_total``: how many posts match."""
    posts = matching_posts(src, workspace_id, account_ids, period, search)
    head = None
    if sort != "published_at" and not search:
        head = by_value(src, posts, workspace_id, account_ids, period, tz, rate, sort, rows)
    if head is None:
        snaps = latest_snapshots(src, workspace_id, period, tz, list(datasets.POST_COUNTERS))
        head = general_page(posts, snaps, rate, sort, rows).to_pyarrow()
    return head


def matching_posts(src: TableSource, workspace_id: int, account_ids: Sequence[int],
                   period: DateRange | None, search: str | None = None) -> ir.Table:
    """The latest version of each post of these accounts published in the period (whose
    text contains ``search``, when given)."""
    posts = latest_posts(src, workspace_id, list(POST_COLUMNS))
    posts = in_period(posts, "local_date", period)
    posts = posts.filter(posts.account_id.isin(list(account_ids)))
    if search:
        posts = posts.filter(posts.text.lower().contains(search.lower()))
    return posts


def _with_rate(t: ir.Table, rate: PlannedMetric) -> ir.Table:
    value = row_formula(rate.variant.formula, rate.inputs, t).cast("float64")
    return t.mutate(**{rate.key: value * 100 if rate.variant.is_rate else value})


def by_value(src: TableSource, posts: ir.Table, workspace_id: int,
             account_ids: Sequence[int], period: DateRange | None, tz: str,
             rate: PlannedMetric, sort: str, rows: int) -> pa.Table | None:
    """The first ``rows`` posts by a counter or the rate, picked among the snapshots (see
    the module docstring). Every post whose value reaches the ``rows``-th best is read, so
    ties at the page's edge still order by publication time. None when the page reaches
    posts without a value (they come last, by publication time), when nothing matches, or
    when the ties at the edge go on past twice the page: the general query answers then."""
    snaps = snapshots_with_posts(src, workspace_id, period, tz, list(SNAPSHOT_COLUMNS),
                                 ["local_date"])
    snaps = in_period(snaps, "local_date", period)
    snaps = _with_rate(snaps.filter(snaps.account_id.isin(list(account_ids))), rate)
    top = snaps.select(_v=snaps[sort]).filter(lambda t: t._v.notnull())
    top = top.order_by(top._v.desc()).limit(2 * rows)
    found = top.mutate(_total=posts.count().as_scalar()).to_pyarrow()
    values = found["_v"].to_pylist()
    total = int(found["_total"][0].as_py()) if values else 0
    if not values or len(values) < min(rows, total):
        return None
    edge = values[min(rows, len(values)) - 1]
    if len(values) == 2 * rows and edge == values[-1]:
        return None
    # held as a table: the engine then knows they are few and joins the posts to them (the
    # filter's estimate made DuckDB hash every matching post instead, 4x slower on 10M rows)
    best = snaps.filter(snaps[sort] >= edge).select(*_KEYS, *SNAPSHOT_COLUMNS,
                                                    rate.key).cache()
    try:
        fresh = matching_posts(src, workspace_id, account_ids, period)
        page = best.join(fresh, _KEYS).select(*_KEYS, *POST_COLUMNS, *SNAPSHOT_COLUMNS,
                                              rate.key)
        page = page.order_by(post_order(page, sort)).limit(rows)
        return page.mutate(_total=ibis.literal(total, "int64")).to_pyarrow()
    finally:
        best.release()


def general_page(posts: ir.Table, snaps: ir.Table, rate: PlannedMetric, sort: str,
                 rows: int) -> ir.Table:
    """The first ``rows`` matching posts in the list's order, with ``_total``, for any sort.

    The order needs only the keys, the publication time and the counters, so the join of
    every matching post with its snapshot and the top-N carry those narrow columns; only
    the page's rows take their text, link, type and campaign afterwards. How many match is
    a count of the posts alone (a post has at most one snapshot for a period, so the left
    join never changes it). Carrying the wide columns through the join, and counting with a
    window over its result, cost about ten scans of the files on 10M snapshot rows.
    """
    narrow = posts.select(*_KEYS, "published_at")
    j = narrow.left_join(snaps, _KEYS).select(*[narrow[c] for c in narrow.columns],
                                             *[snaps[c] for c in SNAPSHOT_COLUMNS])
    top = _with_rate(j, rate)
    top = top.order_by(post_order(top, sort)).limit(rows)
    wide = posts.view()
    page = top.join(wide, _KEYS).select(
        *_KEYS, "published_at", *[wide[c] for c in POST_COLUMNS if c != "published_at"],
        *SNAPSHOT_COLUMNS, rate.key)
    page = page.select(*_KEYS, *POST_COLUMNS, *SNAPSHOT_COLUMNS, rate.key)
    return page.mutate(_total=posts.count().as_scalar()).order_by(post_order(page, sort))


def post_order(t: ir.Table, sort: str) -> list[Any]:
    """A post list's order: ``sort`` highest first (no value last), then newest first, then
    by post id, so every engine gives the same page."""
    key = t[sort]
    ties = [t.published_at.desc()] if sort != "published_at" else []
    return [key.isnull().asc(), key.desc(), *ties, t.post_id.asc()]
