"""The Parquet lake: append-only files per dataset, made visible by the ingest ledger.

An import writes its files under temporary names, fsyncs and renames them, then commits the
batch in the app database; readers only see files of committed batches, so a crash at any point
leaves nothing half-imported and re-running the same import completes it. Content hashes make
re-imports of the same data a no-op; overlapping imports are resolved at read time by taking the
latest row per natural key (``observed_at`` then ``batch_id``).

Concurrency: a pending batch is owned (host, process, lease); only an abandoned one (its
process is gone, or its lease ran out) is redone by another import, and an import of content
that another process is writing waits for it. Files that leave the committed set (compaction,
removal) stay on disk for a grace period, so a query that listed them a moment earlier can
still read them; the next import, compaction or removal deletes them after that.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from socialpulse.adapters.lake_intervals import SNAPSHOT_ROW_GROUP, VALID_TO, with_intervals
from socialpulse.adapters.store import Batch, Store
from socialpulse.domain import datasets
from socialpulse.domain.errors import Conflict, InvalidInput

TS = pa.timestamp("us", tz="UTC")
WRITE_THREADS = min(4, os.cpu_count() or 1)
#: How long a pending batch is its writer's without a sign of life from another host.
LEASE_S = 30 * 60
#: How long files that left the committed set stay readable for queries already running.
GRACE_S = 10 * 60
#: How long an import waits for another process writing the same content.
WAIT_S = 120.0
_POLL_S = 0.2
_HOST = socket.gethostname()[:100]
#: Owner tokens of the imports this process is running now (a pending batch with this
#: process's id but another token was left by an import of this process that died).
_LIVE: set[str] = set()
_LIVE_LOCK = threading.Lock()

#: Arrow types of the registry's portable column types (domain/datasets.py).
ARROW_TYPES: dict[str, pa.DataType] = {
    "int64": pa.int64(), "float64": pa.float64(), "string": pa.string(), "bool": pa.bool_(),
    "date": pa.date32(), "timestamp": TS,
}
#: The post counters and account daily totals, as lists (the registry holds them once).
POST_COUNTERS = list(datasets.POST_COUNTERS)
DAILY_TOTALS = list(datasets.DAILY_TOTALS)


def arrow_schema(spec: datasets.StoredDataset) -> pa.Schema:
    """A stored dataset's Parquet schema, columns in the registry's order."""
    return pa.schema([(c.name, ARROW_TYPES[c.type]) for c in spec.columns])


SCHEMAS: dict[str, pa.Schema] = {n: arrow_schema(d) for n, d in datasets.STORED.items()}
#: Natural keys: reads keep the latest row per key.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {n: d.natural_key for n, d in datasets.STORED.items()}
#: The date column each dataset is partitioned by (one folder per month).
PARTITION_DATE: dict[str, str] = {n: d.partition_by for n, d in datasets.STORED.items()}


@dataclass(frozen=True)
class IngestResult:
    batch_id: int
    rows: dict[str, int]
    already_imported: bool
    resumed: bool = False


@dataclass(frozen=True)
class Removal:
    """What `Lake.remove` took out: the batches (an import, or a compaction with the imports
    it merged) and their rows; empty when the batch was removed already."""

    batches: list[Batch]
    rows: dict[str, int]


def _aware(when: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every ledger time is UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _owner_token() -> str:
    return f"{_HOST} {os.getpid()} {uuid.uuid4().hex[:16]}"


def _pid_alive(pid: int) -> bool:
    """Whether a process of this host runs (a zombie, killed but not reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def abandoned(batch: Batch, now: datetime) -> bool:
    """A pending batch nobody is writing any more: no owner (written before owners were
    recorded), an expired lease, or an owner process of this host that is gone."""
    if batch.owner is None or batch.lease_until is None:
        return True
    if _aware(batch.lease_until) < now:
        return True
    host, _, rest = batch.owner.partition(" ")
    pid_s, _, token = rest.partition(" ")
    if host != _HOST or not pid_s.isdigit():
        return False  # another machine's import: only its lease says it died
    if int(pid_s) == os.getpid():
        with _LIVE_LOCK:
            return token not in _LIVE
    return not _pid_alive(int(pid_s))


def conform(dataset: str, table: pa.Table) -> pa.Table:
    """Cast a table to the dataset's schema, adding missing nullable columns."""
    schema = SCHEMAS[dataset]
    cols = []
    for f in schema:
        if f.name in table.column_names:
            col = table[f.name]
            try:
                cols.append(col.cast(f.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InvalidInput(f"{dataset}.{f.name}: cannot store as {f.type}: {exc}") from None
        else:
            cols.append(pa.nulls(len(table), f.type))
    return pa.Table.from_arrays(cols, schema=schema)


def content_hash(fmt: str, tables: Mapping[str, pa.Table]) -> str:
    """A hash of the normalised content: the same data imported twice hashes the same."""
    h = hashlib.sha256(fmt.encode())
    for name in sorted(tables):
        t = tables[name]
        if "batch_id" in t.column_names:
            t = t.drop_columns(["batch_id"])
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema) as w:
            w.write_table(t.combine_chunks())
        h.update(name.encode())
        h.update(memoryview(sink.getvalue()))  # no copy of the serialised batch
    return h.hexdigest()


def prepare(fmt: str, tables: Mapping[str, pa.Table]) -> tuple[dict[str, pa.Table], str]:
    """Conform, dedupe and hash a batch: what `ingest` stores and how it recognises it."""
    conformed = {
        name: dedupe_within_batch(name, conform(name, t))
        for name, t in tables.items()
        if t is not None
    }
    return conformed, content_hash(fmt, conformed)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Lake:
    def __init__(self, root: Path, store: Store, grace_s: float = GRACE_S,
                 wait_s: float = WAIT_S) -> None:
        self.root = root
        self.store = store
        self.grace_s = grace_s  # how long retired files stay for running queries
        self.wait_s = wait_s  # how long an import waits for another writing the same content

    def _write_file(self, rel: str, table: pa.Table) -> None:
        final = self.root / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
        with open(tmp, "wb") as fh:
            # snapshot files carry validity intervals, sorted by them: small row groups let
            # readers skip superseded snapshots (adapters/lake_intervals.py)
            rows = SNAPSHOT_ROW_GROUP if VALID_TO in table.column_names else None
            pq.write_table(table, fh, compression="zstd", row_group_size=rows)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)

    def _partitions(self, dataset: str, table: pa.Table) -> list[tuple[str, pa.Table]]:
        col = table[PARTITION_DATE[dataset]]
        if len(table) == 0:
            return []
        # one stable sort by month, then contiguous slices: O(n log n) once, instead of one
        # full-table filter per month (1M rows over 36 months: ~2 s -> ~0.3 s)
        key = pc.add(pc.multiply(pc.year(col), 100), pc.month(col))
        order = pc.sort_indices(key)  # stable; nulls (no date) last
        table, key = table.take(order), key.take(order)
        out: list[tuple[str, pa.Table]] = []
        offset = 0
        for entry in pc.value_counts(key).to_pylist():
            ym, n = entry["values"], entry["counts"]
            name = "unknown" if ym is None else f"{ym // 100:04d}-{ym % 100:02d}"
            out.append((name, table.slice(offset, n)))
            offset += n
        return out

    def ingest(
        self, workspace_id: int, source: str, fmt: str, tables: Mapping[str, pa.Table]
    ) -> IngestResult:
        """Write one batch atomically; the same content twice is imported once."""
        conformed, digest = prepare(fmt, tables)
        owner = _owner_token()
        with _LIVE_LOCK:
            _LIVE.add(owner)
        try:
            claim = self._claim(workspace_id, source, fmt, digest, owner)
            if isinstance(claim, IngestResult):
                return claim
            batch, resumed = claim
            files, rows = self._write_batch(workspace_id, batch.id, conformed, owner)
            committed = self.store.commit_batch(batch.id, files, rows, owner=owner)
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(owner)
        self.sweep(workspace_id)
        return IngestResult(committed.id, committed.rows, already_imported=False, resumed=resumed)

    def _claim(self, workspace_id: int, source: str, fmt: str, digest: str, owner: str
               ) -> IngestResult | tuple[Batch, bool]:
        """Own the pending batch of this content: a new one, or one whose writer died (its
        files are removed first; ``resumed``). Content already imported answers its result;
        content another live import is writing is waited for, up to ``wait_s``."""
        deadline = time.monotonic() + self.wait_s
        while True:
            now = datetime.now(UTC)
            lease = now + timedelta(seconds=LEASE_S)
            state, batch = self.store.claim_batch(workspace_id, source, fmt, digest, owner, lease)
            if state == "claimed" and batch is not None:
                return batch, False
            if state == "done" and batch is not None:
                return IngestResult(batch.id, batch.rows, already_imported=True)
            if (state == "busy" and batch is not None and abandoned(batch, now)
                    and self.store.take_over_batch(batch.id, batch.owner, owner, lease)):
                self._remove_batch_files(batch)
                return batch, True
            if time.monotonic() >= deadline and batch is not None:
                since = _aware(batch.created_at).strftime("%Y-%m-%d %H:%M UTC")
                raise Conflict(f"{source[:200]}: already being imported by another process "
                               f"(batch {batch.id}, since {since}); try again when it has "
                               "finished")
            time.sleep(_POLL_S)

    def _write_batch(
        self, workspace_id: int, batch_id: int, tables: Mapping[str, pa.Table],
        owner: str | None = None,
    ) -> tuple[list[str], dict[str, int]]:
        """Write a pending batch's files (stamped with its ids), one per dataset and month.

        On any failure the files written so far and the pending batch are removed, so nothing
        is left for a reader or a re-run to trip on.
        """
        files: list[str] = []
        rows: dict[str, int] = {}
        try:
            with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:  # Parquet writes free
                pending = []  # the GIL: files of one batch are written side by side
                for name, table in tables.items():
                    for col, value in (("batch_id", batch_id), ("workspace_id", workspace_id)):
                        table = table.set_column(
                            table.schema.get_field_index(col),
                            col,
                            pa.repeat(pa.scalar(value, pa.int64()), len(table)),
                        )
                    rows[name] = len(table)
                    if name == "post_snapshots":
                        table = with_intervals(table, tables.get("posts"))
                    for month, part in self._partitions(name, table):
                        rel = f"{name}/ws={workspace_id}/month={month}/b{batch_id:08d}.parquet"
                        files.append(rel)
                        pending.append(pool.submit(self._write_file, rel, part))
                for future in pending:
                    future.result()
        except BaseException:
            self._remove_files(files)
            self._remove_batch_files_of(workspace_id, batch_id)
            self.store.discard_batch(batch_id, owner)
            raise
        return files, rows

    def _remove_files(self, rels: list[str]) -> None:
        for rel in rels:
            (self.root / rel).unlink(missing_ok=True)

    def _remove_batch_files(self, batch: Batch) -> None:
        """A pending batch has no file list yet: find its files by name."""
        self._remove_batch_files_of(batch.workspace_id, batch.id)

    def _remove_batch_files_of(self, workspace_id: int, batch_id: int) -> None:
        for path in self.root.glob(f"*/ws={workspace_id}/month=*/b{batch_id:08d}.parquet"):
            path.unlink(missing_ok=True)
        for path in self.root.glob(f"*/ws={workspace_id}/month=*/.b{batch_id:08d}*.tmp"):
            path.unlink(missing_ok=True)

    def files(self, workspace_id: int, dataset: str) -> list[Path]:
        """Committed files of a dataset, the only ones any reader may see."""
        prefix = f"{dataset}/"
        out: list[Path] = []
        for batch in self.store.batches(workspace_id, "committed"):
            out.extend(self.root / f for f in batch.files if f.startswith(prefix))
        return out

    def read(self, workspace_id: int, dataset: str) -> pa.Table:
        """All committed rows of a dataset (small reads: services, tests, compaction)."""
        paths = self.files(workspace_id, dataset)
        if not paths:
            return SCHEMAS[dataset].empty_table()
        return pa.concat_tables([pq.read_table(p, schema=SCHEMAS[dataset]) for p in paths])

    def read_latest(self, workspace_id: int, dataset: str) -> pa.Table:
        """The committed rows of a dataset as readers see them: the latest per natural key."""
        table = self.read(workspace_id, dataset)
        return latest_rows(dataset, table) if len(table) else table

    def compact(self, workspace_id: int, timezone: str | None = None) -> dict[str, int]:
        """Merge every committed batch into one, keeping the latest row per natural key.

        With ``timezone``, also re-derive each post's and mention's local day in that zone and
        store it as the workspace's zone in the same transaction that swaps the batches, so
        the days and the setting never disagree; this rewrites even a single batch.
        """
        old = self.store.batches(workspace_id, "committed")
        if len(old) < 2 and timezone is None:
            return {}
        merged: dict[str, pa.Table] = {}
        for dataset in SCHEMAS:
            table = self.read(workspace_id, dataset)
            if len(table) == 0:
                continue
            merged[dataset] = latest_rows(dataset, table)
            if timezone is not None:
                merged[dataset] = rezoned(merged[dataset], timezone)
        if not merged:
            if timezone is not None:
                self.store.update_workspace(workspace_id, timezone=timezone)
            return {}
        kind = "compact" if timezone is None else f"timezone {timezone}"
        digest = f"{kind.split()[0]}-" + content_hash(kind, merged)[:56]
        owner = _owner_token()
        with _LIVE_LOCK:
            _LIVE.add(owner)
        try:
            claim = self._claim(workspace_id, "compaction", kind.split()[0], digest, owner)
            if isinstance(claim, IngestResult):  # the same merge is committed already
                if timezone is not None:
                    self.store.update_workspace(workspace_id, timezone=timezone)
                return {}
            batch = claim[0]
            files, rows = self._write_batch(workspace_id, batch.id, merged, owner)
            try:
                self.store.replace_batches([b.id for b in old], batch.id, files, rows,
                                           timezone=timezone)
            except Conflict:
                self._remove_files(files)
                self.store.discard_batch(batch.id, owner)
                raise
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(owner)
        self.sweep(workspace_id)
        return rows

    def remove(self, workspace_id: int, batch_id: int) -> Removal:
        """Undo one import: it leaves the committed set in one ledger transaction (readers
        stop seeing its rows at once) and its files go to the trash, deleted after the grace
        period. Removing it again changes nothing."""
        removed = self.store.remove_batch(workspace_id, batch_id)
        head = [b for b in removed if b.id == batch_id]
        self.sweep(workspace_id)
        return Removal(removed, dict(head[0].rows) if head else {})

    def sweep(self, workspace_id: int, now: datetime | None = None) -> int:
        """Delete the files of batches retired more than the grace period ago; answers how
        many files went. Files first, then the ledger forgets them: a crash in between leaves
        names of missing files, which the next sweep forgets."""
        now = now or datetime.now(UTC)
        old = self.store.trash(workspace_id, now - timedelta(seconds=self.grace_s))
        count = 0
        for b in old:
            self._remove_files(b.files)
            count += len(b.files)
        if old:
            self.store.forget_files([b.id for b in old])
        return count


def local_dates(published: pa.ChunkedArray | pa.Array, tz: str) -> pa.Array:
    """The local calendar day of each UTC instant in the workspace's time zone."""
    local = pc.local_timestamp(published.cast(pa.timestamp("us", tz=tz)))
    return pc.cast(local, pa.date32())


def rezoned(table: pa.Table, tz: str) -> pa.Table:
    """Local days re-derived from the UTC times in ``tz``; rows without a time (exports that
    give only a day) keep their day."""
    if "local_date" not in table.column_names or "published_at" not in table.column_names:
        return table
    day = pc.coalesce(local_dates(table["published_at"], tz), table["local_date"])
    return table.set_column(table.schema.get_field_index("local_date"), "local_date", day)


def _keys_unique(table: pa.Table, keys: tuple[str, ...]) -> bool:
    return bool(
        table.select(list(keys)).group_by(list(keys)).aggregate([]).num_rows == len(table)
    )


def dedupe_within_batch(dataset: str, table: pa.Table) -> pa.Table:
    """One row per natural key inside a batch: the last one in file order wins.

    Without this, two rows with the same key in one batch would tie at read time and the
    answer would depend on the engine's whim.
    """
    if _keys_unique(table, NATURAL_KEYS[dataset]):  # the usual case: nothing to drop, and
        return table  # a hash group-by is several times cheaper than the window below
    keys = ", ".join(NATURAL_KEYS[dataset])
    con = duckdb.connect()
    try:
        con.register("t", table.append_column("_row", pa.array(range(len(table)), pa.int64())))
        out = con.sql(
            f"SELECT * EXCLUDE (_row) FROM t QUALIFY row_number() OVER "
            f"(PARTITION BY {keys} ORDER BY _row DESC) = 1 ORDER BY _row"
        ).to_arrow_table()
    finally:
        con.close()
    return out.cast(SCHEMAS[dataset])


def latest_rows(dataset: str, table: pa.Table) -> pa.Table:
    """Keep one row per natural key: the newest observation, then the newest batch."""
    keys = ", ".join(NATURAL_KEYS[dataset])
    order = "batch_id DESC"
    if "observed_at" in table.column_names and "observed_at" not in NATURAL_KEYS[dataset]:
        order = "observed_at DESC, " + order
    con = duckdb.connect()
    try:
        con.register("t", table)
        out = con.sql(
            f"SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {order}) = 1"
        ).to_arrow_table()
    finally:
        con.close()
    return out.cast(SCHEMAS[dataset])
