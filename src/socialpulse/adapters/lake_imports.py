"""Parsed import files as lake tables, and completing daily rows with what the lake holds.

The import service decides accounts and observation times; this adapter turns its parsed files
into the lake's datasets (account ids, local days in the workspace's zone, the lake's schemas)
and merges daily rows with the stored ones (DuckDB SQL, which stays in adapters). It is the
`ImportLake` port of `services/ports.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from socialpulse.domain.models import Network
from socialpulse.services.import_model import Parsed, clean_handle

from .lake import SCHEMAS, Lake, conform, local_dates

AccountIds = Mapping[tuple[Network, str], int]


class LakeImportTables:
    """The `ImportLake` port over one lake."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake

    def tables(self, parsed: Sequence[Parsed], ids: AccountIds, tz: str
               ) -> dict[str, pa.Table]:
        return lake_tables(parsed, ids, tz)

    def merge_daily(self, workspace_id: int, new: pa.Table) -> pa.Table:
        """New daily rows completed with the stored rows of the same account and day."""
        return merge_daily(new, self.lake.read(workspace_id, "account_daily"))


def _account_ids(t: pa.Table, p: Parsed, ids: AccountIds) -> pa.Array:
    default = ids[(p.network, p.handle)] if p.handle else None
    if "handle" not in t.column_names:
        return pa.array([default] * len(t), pa.int64())
    own = p.handle or ""
    handles = pc.fill_null(t["handle"], own)
    uniq = pc.unique(handles).to_pylist()
    if len(uniq) == 1:
        h = clean_handle(uniq[0]) if uniq[0] else own
        return pa.array([ids[(p.network, h)]] * len(t), pa.int64())
    keys = pa.array(uniq, pa.string())
    vals = pa.array([ids[(p.network, clean_handle(h) if h else own)] for h in uniq], pa.int64())
    return pc.take(vals, pc.index_in(handles, value_set=keys))


def _posts(p: Parsed, ids: AccountIds, tz: str) -> pa.Table:
    t = p.posts
    assert t is not None
    t = t.append_column("account_id", _account_ids(t, p, ids))
    if "published_at" in t.column_names:
        computed = local_dates(t["published_at"], tz)
        if "local_date" in t.column_names:
            computed = pc.coalesce(t["local_date"].cast(pa.date32()), computed)
            t = t.drop_columns(["local_date"])
        t = t.append_column("local_date", computed)
    return conform("posts", t)


def _snapshots(p: Parsed, ids: AccountIds, obs: pa.Scalar) -> pa.Table:
    t = p.snapshots
    assert t is not None
    t = t.append_column("account_id", _account_ids(t, p, ids))
    if "observed_at" in t.column_names:
        filled = pc.coalesce(t["observed_at"].cast(obs.type), obs)
        t = t.drop_columns(["observed_at"]).append_column("observed_at", filled)
    else:
        t = t.append_column("observed_at", pa.array([p.observed_at] * len(t), obs.type))
    return conform("post_snapshots", t)


def _daily(p: Parsed, ids: AccountIds, obs: pa.Scalar) -> pa.Table:
    t = p.daily
    assert t is not None
    t = t.append_column("account_id", _account_ids(t, p, ids))
    t = t.append_column("observed_at", pa.array([p.observed_at] * len(t), obs.type))
    return conform("account_daily", t)


def _audience(p: Parsed, ids: AccountIds, obs: pa.Scalar, tz: str) -> pa.Table:
    t = p.audience
    assert t is not None
    t = t.append_column("account_id", _account_ids(t, p, ids))
    seen = pa.array([p.observed_at] * len(t), obs.type)
    t = t.append_column("observed_at", seen)
    # a breakdown without a date describes the day its counts were observed
    day = pc.coalesce(t["date"].cast(pa.date32()), local_dates(seen, tz))
    t = t.set_column(t.schema.get_field_index("date"), "date", day)
    return conform("audience", t)


def lake_tables(parsed: Sequence[Parsed], ids: AccountIds, tz: str) -> dict[str, pa.Table]:
    """The lake's datasets of an import's parsed files (datasets without rows left out)."""
    out: dict[str, list[pa.Table]] = {"posts": [], "post_snapshots": [], "account_daily": [],
                                      "audience": []}
    epoch = datetime.min.replace(tzinfo=UTC)
    for p in sorted(parsed, key=lambda p: (p.observed_at or epoch, p.name)):
        obs = pa.scalar(p.observed_at, pa.timestamp("us", tz="UTC"))
        if p.posts is not None and len(p.posts):
            out["posts"].append(_posts(p, ids, tz))
        if p.snapshots is not None and len(p.snapshots):
            out["post_snapshots"].append(_snapshots(p, ids, obs))
        if p.daily is not None and len(p.daily):
            out["account_daily"].append(_daily(p, ids, obs))
        if p.audience is not None and len(p.audience):
            out["audience"].append(_audience(p, ids, obs, tz))
    tables = {}
    for name, parts in out.items():
        if not parts:
            continue
        # overlapping files in one import: files come oldest export first, and the lake keeps
        # the last row per key within a batch, so the newest export's row wins (and the same
        # files always give the same batch, hence the same content hash)
        tables[name] = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    return tables


def merge_daily(new: pa.Table, existing: pa.Table) -> pa.Table:
    """One row per account and day, each field its newest known value.

    Daily fields come from different exports (TikTok's Overview has profile views, its
    FollowerHistory has followers), and the lake keeps whole rows, so a row written for one
    file must not blank what another file said about the same day. New rows are completed
    with the latest stored values of the same account and day; per field, the value observed
    last wins.
    """
    keys = new.select(["account_id", "date"])
    con = duckdb.connect()
    try:
        con.register("new_rows", new)
        con.register("old_rows", existing)
        con.register("keys", keys)
        fields = [f.name for f in SCHEMAS["account_daily"]
                  if f.name not in ("workspace_id", "account_id", "date", "observed_at",
                                    "batch_id")]
        aggs = ", ".join(
            f'arg_max("{c}", _rank) FILTER (WHERE "{c}" IS NOT NULL) AS "{c}"' for c in fields)
        sql = f"""
            WITH old_latest AS (
                SELECT o.* FROM old_rows o
                SEMI JOIN (SELECT DISTINCT account_id, date FROM keys) k
                  ON o.account_id = k.account_id AND o.date = k.date
            ), allrows AS (
                SELECT *, (epoch_us(observed_at) * 2) AS _rank FROM old_latest
                UNION ALL BY NAME
                SELECT *, (epoch_us(observed_at) * 2 + 1) AS _rank FROM new_rows
            )
            SELECT any_value(workspace_id) AS workspace_id, account_id, date, {aggs},
                   max(observed_at) AS observed_at, CAST(NULL AS BIGINT) AS batch_id
            FROM allrows
            GROUP BY account_id, date ORDER BY account_id, date
        """
        out = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    return conform("account_daily", out)
