"""Snapshot validity intervals: which snapshot of a post counts for a period, as a range filter.

The engine's rule (docs/DESIGN-NOTES.md, "Two levels") takes, for a period ending at instant E,
each post's latest snapshot observed before E, or its earliest one when the post was first
observed at or after E. Over a post's snapshots s1 < s2 < ... < sn that rule is a partition of
time: s_k counts exactly when ``valid_from < E <= valid_to`` with valid_from = s_k (BEGIN for
s1, so a period ending before the post was first seen still picks it) and valid_to = s_{k+1}
(END for sn). Storing the two columns with each snapshot turns a window over every post into a
filter inside one scan, and files sorted by ``valid_to`` (small row groups) let DuckDB skip the
row groups of snapshots superseded before E. Each settled snapshot also carries its post's day
and campaign as its batch has them (``post_found`` false when the batch has no row of the post),
so level 1 needs neither the window over posts nor the join on string keys for such posts.

Where they are computed: every batch's snapshot files are written with the intervals of that
batch alone (at import, and at compaction, which merges everything into one batch). Files are
immutable, so a post that also has rows in another batch cannot trust them: the engine reads the
largest *settled* batch (its files carry the columns) with the range filter, leaves out the posts
that any other batch touches (snapshots or post rows), and picks those few posts with the window
and the join over all their rows (`engine_levels.snapshots_with_posts`). This stays right
whatever imports run concurrently, and lakes written before the columns existed (no settled
batch) read as before.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

VALID_FROM = "valid_from"
VALID_TO = "valid_to"
#: The post's attributes that level 1 reads, copied into each settled snapshot from the same
#: batch's posts (posts column -> snapshot column), and whether the batch has the post at all.
POST_ATTRIBUTES = {"local_date": "post_local_date", "campaign": "post_campaign"}
POST_FOUND = "post_found"
_ATTRIBUTE_TYPES = {"local_date": pa.date32(), "campaign": pa.string()}
#: The columns a settled snapshot file carries beyond the registry's, with Spark DDL types.
INTERVAL_COLUMNS = (VALID_FROM, VALID_TO, *POST_ATTRIBUTES.values(), POST_FOUND)
SPARK_TYPES = {VALID_FROM: "TIMESTAMP", VALID_TO: "TIMESTAMP", "post_local_date": "DATE",
               "post_campaign": "STRING", POST_FOUND: "BOOLEAN"}
_TS = pa.timestamp("us", tz="UTC")
#: Open ends as instants (every engine compares them; a null would need an OR in each filter
#: and would hide the bound from row-group statistics).
BEGIN_US = -2208988800 * 10**6  # 1900-01-01T00:00:00Z (Spark refuses Parquet instants
# before 1582 from other writers; the engine uses the window for periods ending before BEGIN)
END_US = 253402214400 * 10**6  # 9999-12-31T00:00:00Z
#: Row groups of snapshot files: small enough that skipping by valid_to pays.
SNAPSHOT_ROW_GROUP = 64 * 1024
#: Dataset parts the engine can read separately (``post_snapshots@settled``).
SETTLED = "settled"
REST = "rest"
_BATCH = re.compile(r"b(\d+)\.parquet$")


def with_intervals(table: pa.Table, posts: pa.Table | None) -> pa.Table:
    """A batch's snapshots with their validity intervals and their post's attributes in the
    same batch (``posts``; `POST_ATTRIBUTES`), sorted by ``valid_to``.

    The batch holds one row per (account_id, post_id, observed_at) and one per post (the lake
    dedupes within a batch). A batch with a null key is returned unchanged: unsettled, read by
    the window.
    """
    posts = posts if posts is not None else pa.table(
        {"account_id": pa.array([], pa.int64()), "post_id": pa.array([], pa.string())})
    keys = ("account_id", "post_id", "observed_at")
    if (len(table) == 0 or any(table[k].null_count for k in keys)
            or any(posts[k].null_count for k in keys[:2])):
        return table
    key, post_key, n_keys = _post_keys(table, posts)
    obs = table["observed_at"].cast(pa.int64()).to_numpy()
    by_time = np.argsort(obs, kind="stable")
    order = by_time[np.argsort(key[by_time], kind="stable")]
    obs_s = obs[order]
    key_s = key[order]
    same_next = key_s[1:] == key_s[:-1]
    valid_to = np.full(len(order), END_US, dtype=np.int64)
    valid_to[:-1] = np.where(same_next, obs_s[1:], END_US)
    valid_from = obs_s.copy()
    first = np.ones(len(order), dtype=bool)
    first[1:] = ~same_next
    valid_from[first] = BEGIN_US
    # back to the batch's rows, then sorted by valid_to so row groups have narrow ranges
    vf, vt = np.empty_like(valid_from), np.empty_like(valid_to)
    vf[order], vt[order] = valid_from, valid_to
    out = table.append_column(VALID_FROM, pa.array(vf, pa.int64()).cast(_TS))
    out = out.append_column(VALID_TO, pa.array(vt, pa.int64()).cast(_TS))
    out = _with_post_attributes(out, key, posts, post_key, n_keys)
    return out.take(np.argsort(vt, kind="stable"))


def _post_keys(snaps: pa.Table, posts: pa.Table) -> tuple[np.ndarray, np.ndarray, int]:
    """One dense integer per post (0..n-1), shared by the batch's snapshots and posts, and n:
    sorts and lookups on integers, several times cheaper than on strings (hash encodings, no
    sort of the keys)."""
    n = len(snaps)
    accounts = pa.chunked_array([*snaps["account_id"].chunks, *posts["account_id"].chunks],
                                pa.int64())
    acc = pc.dictionary_encode(accounts.combine_chunks()).indices.to_numpy()
    ids = pa.chunked_array([*snaps["post_id"].chunks, *posts["post_id"].chunks], pa.string())
    code = pc.dictionary_encode(ids.combine_chunks()).indices.to_numpy()
    pair = acc.astype(np.int64) * (int(code.max()) + 1) + code
    encoded = pc.dictionary_encode(pa.array(pair))
    dense = encoded.indices.to_numpy().astype(np.int64)
    return dense[:n], dense[n:], len(encoded.dictionary)


def _with_post_attributes(snaps: pa.Table, key: np.ndarray, posts: pa.Table,
                          post_key: np.ndarray, n_keys: int) -> pa.Table:
    """The post's day and campaign as this batch has them (null, and POST_FOUND false, for
    a post this batch has no row of)."""
    row_of = np.full(n_keys, -1, dtype=np.int64)
    row_of[post_key] = np.arange(len(post_key))  # one row per post in a batch
    row = row_of[key]
    found = row >= 0
    index = pa.array(np.where(found, row, 0), mask=~found)
    for column, name in POST_ATTRIBUTES.items():
        values = (posts[column].take(index) if column in posts.column_names and len(posts)
                  else pa.nulls(len(key), _ATTRIBUTE_TYPES[column]))
        snaps = snaps.append_column(name, values.cast(_ATTRIBUTE_TYPES[column]))
    return snaps.append_column(POST_FOUND, pa.array(found, pa.bool_()))


def batch_of(path: str | Path) -> int | None:
    """The batch a lake file belongs to (the lake names files ``b<batch id>.parquet``)."""
    m = _BATCH.search(str(path))
    return int(m.group(1)) if m else None


@lru_cache(maxsize=64)
def settled_batch(snapshot_files: tuple[str, ...]) -> int | None:
    """The batch read with the range filter: the one with the most snapshot files, if its
    files carry the intervals (files written before them, or an unsettled batch: None).
    Cached by the file list: lake files never change once written."""
    counts = Counter(b for b in map(batch_of, snapshot_files) if b is not None)
    if not counts:
        return None
    batch, _ = counts.most_common(1)[0]
    for p in snapshot_files:
        if batch_of(p) == batch:
            names = pq.read_schema(p).names
            if not all(c in names for c in INTERVAL_COLUMNS):
                return None
    return batch


def split(paths: Sequence[str], batch: int | None) -> dict[str, list[str]]:
    """A dataset's files as the settled batch's and the rest."""
    settled = [p for p in paths if batch is not None and batch_of(p) == batch]
    taken = set(settled)
    return {SETTLED: settled, REST: [p for p in paths if p not in taken]}


def part_name(dataset: str, part: str) -> str:
    """The name a table source reads one part of a dataset by."""
    return f"{dataset}@{part}"


def parse_part(name: str) -> tuple[str, str | None]:
    """A source name as (dataset, part or None for every file)."""
    dataset, _, part = name.partition("@")
    return dataset, part or None
