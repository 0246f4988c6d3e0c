"""Metric queries compiled once and kept on disk, so that asking again needs DuckDB alone.

Building a metric query costs far more than running it on a small workspace: importing Ibis
(which loads every SQL dialect of sqlglot) and pandas takes about 0.7 s of a CLI command's
1.7 s, and compiling the expression tree another tenth. The SQL an engine run executes depends
only on the question, never on the moment: the plan (query, metric definitions as the
catalogue has them), the time zone, the accounts (a small in-memory table), the committed files
with their batches' content hashes and commit times (their lists and which parts exist decide
the shape of level 1), and the code that compiles it. So a run is compiled once into plain
statements (the views over the files, the in-memory tables with their rows, level 1 as a
temporary table, the per-account diagnostics and level 2), stored as JSON under a hash of all
of that, and replayed on a new DuckDB connection; Ibis is imported only when a question is
new.

A cached entry can never be stale: an import, compaction or removal changes the committed
files, an account change the accounts, a catalogue edit the plan, an upgrade or a code change
the fingerprint, and each of these is a new key. An entry is stored only if the ledger did not
change while it was compiled (so its file views read exactly the files listed for the key): a
compaction racing a compile leaves no entry behind. Writes are atomic (temporary file, rename);
an unreadable or unwritable cache folder only means compiling again. `sql` (what `explain`
prints) and `posts` go to the Ibis engine unchanged; Spark never comes here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from socialpulse.adapters.run_diagnosis import diagnosis
from socialpulse.domain.models import Account
from socialpulse.domain.query import QueryPlan
from socialpulse.services.ports import EngineRunResult

if TYPE_CHECKING:
    import pyarrow as pa

    from socialpulse.adapters.engine import IbisEngine
    from socialpulse.domain.periods import DateRange
    from socialpulse.domain.query import PlannedMetric

#: Bump when the entry's layout changes (old entries are then never read).
FORMAT = 1
#: Name of level 1's temporary table in the stored statements.
FIRST = "sp_first"
#: Entries kept per data home; the oldest (by last use) go first.
KEEP = 256
#: Source files whose contents decide the SQL a plan compiles to (relative to the package).
_CODE = ("adapters/engine*.py", "adapters/lake.py", "adapters/lake_intervals.py",
         "adapters/sql_cache.py", "domain/datasets.py", "domain/formula.py",
         "domain/metrics.py", "domain/models.py", "domain/periods.py", "domain/platforms.py",
         "domain/query.py")
_PACKAGE = Path(__file__).resolve().parents[1]
_fingerprint: str | None = None
_DATABASES: dict[str, duckdb.DuckDBPyConnection] = {}
_DATABASES_LOCK = threading.Lock()


@dataclass
class CachedRun:
    """An engine answer (`services.ports.EngineRunResult`) from replayed statements."""

    columns: list[str]
    rows: list[dict[str, Any]]
    missing: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[int]] = field(default_factory=dict)


def code_fingerprint() -> str:
    """Hash of the code that compiles plans (ours, Ibis' and DuckDB's versions), once per
    process: a changed compiler never replays SQL another version wrote."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.sha256(f"{FORMAT}|duckdb {duckdb.__version__}".encode())
        spec = importlib.util.find_spec("ibis")
        origin = Path(spec.origin) if spec and spec.origin else None
        sources = sorted(p for pattern in _CODE for p in _PACKAGE.glob(pattern))
        for path in [*sources, *([origin] if origin else [])]:
            h.update(str(path.relative_to(path.parents[1])).encode())
            h.update(path.read_bytes())
        _fingerprint = h.hexdigest()
    return _fingerprint


def cache_key(plan: QueryPlan, accounts: Sequence[Account], tz: str, files: Sequence[str]
              ) -> str:
    """Everything a compiled run depends on, hashed (see the module docstring)."""
    text = json.dumps([code_fingerprint(), repr(plan), tz, [repr(a) for a in accounts],
                       sorted(files)])
    return hashlib.sha256(text.encode()).hexdigest()


# -- compiling (imports Ibis) -----------------------------------------------------------------

def compile_run(engine: IbisEngine, plan: QueryPlan, accounts: Sequence[Account], tz: str
                ) -> dict[str, Any] | None:
    """The statements of `IbisEngine.run` for this plan, or None when they cannot be kept
    (an in-memory table holding values JSON cannot carry)."""
    import ibis
    import ibis.expr.operations as ops

    from socialpulse.adapters.engine_second import account_counts, second_level

    with engine.lock:
        backend = engine.backend
        first = engine.first_level(plan, accounts, tz)
        stand_in = ibis.table(first.schema(), name=FIRST)
        views, tables = [], []
        try:
            for op in first.op().find((ops.DatabaseTable, ops.InMemoryTable)):
                if isinstance(op, ops.InMemoryTable):
                    table = _memtable(op)
                    if table is None:
                        return None
                    tables.append(table)
                else:
                    views.append(_view_sql(backend, op.name))
            entry = {
                "format": FORMAT, "views": views, "tables": tables,
                "first": backend.compile(first),
                "counts": backend.compile(account_counts(plan, stand_in)),
                "second": backend.compile(second_level(plan, stand_in)),
            }
        finally:
            for op in first.op().find(ops.DatabaseTable):
                backend.con.execute(f'DROP VIEW IF EXISTS "{op.name}"')
    return entry


def _view_sql(backend: Any, name: str) -> str:
    """The CREATE VIEW statement DuckDB keeps for a file read (it lists the files)."""
    row = backend.con.execute(
        "SELECT sql FROM duckdb_views() WHERE view_name = ?", [name]).fetchone()
    if row is None:
        raise LookupError(f"no view {name}")
    return str(row[0])


def _memtable(op: Any) -> dict[str, Any] | None:
    """An in-memory table as DDL columns and JSON rows (None if a value is not plain)."""
    from ibis.backends.sql.datatypes import DuckDBType

    rows = op.data.to_pyarrow(op.schema).to_pylist()
    plain = (str, int, float, bool, type(None))
    if any(not isinstance(v, plain) for r in rows for v in r.values()):
        return None
    columns = [[name, DuckDBType.to_string(dtype)] for name, dtype in op.schema.items()]
    return {"name": op.name, "columns": columns, "rows": [list(r.values()) for r in rows]}


# -- replaying (DuckDB alone) -----------------------------------------------------------------

def replay(entry: dict[str, Any], plan: QueryPlan, spill: Path | None = None) -> CachedRun:
    """Run stored statements on a new connection to the process' in-memory DuckDB, as the Ibis
    engine runs them (UTC session time zone, no Python variables as tables), and shape the
    answer as it does.

    ``spill``: where DuckDB writes what does not fit its memory limit (by default a ``.tmp``
    folder in the current directory, which a command run elsewhere may not be able to write)."""
    con = _connection(spill)  # a connection of its own: temporary objects are its own
    try:
        con.execute("SET TimeZone = 'UTC'")
        for sql in entry["views"]:
            con.execute(sql)
        for t in entry["tables"]:
            cols = ", ".join(f'"{n}" {ty}' for n, ty in t["columns"])
            con.execute(f'CREATE TEMP TABLE "{t["name"]}" ({cols})')
            if t["rows"]:
                marks = ", ".join("?" for _ in t["columns"])
                con.executemany(f'INSERT INTO "{t["name"]}" VALUES ({marks})', t["rows"])
        con.execute(f'CREATE TEMP TABLE "{FIRST}" AS {entry["first"]}')
        missing, excluded = diagnosis(plan, _records(con, entry["counts"])[1])
        columns, rows = _records(con, entry["second"])
    finally:
        con.close()
    for r in rows:
        if isinstance(r.get("period"), datetime):
            r["period"] = r["period"].date()
        for pm in plan.metrics:
            if pm.key in missing:
                r[pm.key] = None
    return CachedRun(columns=columns, rows=rows, missing=missing, excluded=excluded)


def _connection(spill: Path | None) -> duckdb.DuckDBPyConnection:
    """A new connection to the process' in-memory DuckDB that replays runs (one database per
    spill folder).

    Shared so that its Parquet metadata cache serves every run: replaying a report's queries
    or a page's, each run's views would otherwise read the footers of every file again (on the
    demo about a third of a replay's CPU). DuckDB checks a cached file's modification time, so
    a file rewritten at the same path (a rebuilt demo) is read anew."""
    key = str(spill)
    with _DATABASES_LOCK:
        if key not in _DATABASES:
            config: dict[str, Any] = {"python_enable_replacements": False,
                                      "enable_object_cache": True}
            if spill is not None:
                config["temp_directory"] = key
            _DATABASES[key] = duckdb.connect(config=config)
        return _DATABASES[key].cursor()


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[dict[str, Any]]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description or []]
    return names, [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# -- the engine the metric service sees -------------------------------------------------------

class SqlCachedEngine:
    """`MetricEngine` on DuckDB whose runs replay compiled statements (see the module
    docstring); ``engine`` builds the Ibis engine on first need, ``committed`` lists a
    workspace's committed files (every dataset; each may carry its batch's stamp, since a
    rebuilt home can reuse a path for other content), ``folder`` holds the entries."""

    def __init__(self, engine: Callable[[], IbisEngine],
                 committed: Callable[[int], list[str]], folder: Path, keep: int = KEEP) -> None:
        self._engine = engine
        self._committed = committed
        self.folder = folder
        self.keep = keep

    def run(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> EngineRunResult:
        workspace_id = plan.query.workspace_id
        files = self._committed(workspace_id)
        key = cache_key(plan, accounts, tz, files)
        entry = self._load(key)
        if entry is None:
            entry = compile_run(self._engine(), plan, accounts, tz)
            if entry is None:  # cannot be kept: run it the usual way
                return self._engine().run(plan, accounts, tz)
            # the ledger unchanged meanwhile: the views read exactly the files of the key
            # (batch ids only grow, so a changed ledger never lists the same files again)
            if self._committed(workspace_id) == files:
                self._save(key, entry)
        return replay(entry, plan, self.folder.parent / "duckdb-spill")

    def sql(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> str:
        return self._engine().sql(plan, accounts, tz)

    def posts(self, workspace_id: int, account_ids: Sequence[int], period: DateRange | None,
              tz: str, rate: PlannedMetric, sort: str, limit: int, offset: int = 0,
              search: str | None = None) -> tuple[pa.Table, int]:
        return self._engine().posts(workspace_id, account_ids, period, tz, rate, sort, limit,
                                    offset, search)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _load(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            entry: dict[str, Any] = json.loads(path.read_text())
            os.utime(path)  # last use decides which entries stay
        except (OSError, ValueError):
            return None
        return entry if entry.get("format") == FORMAT else None

    def _save(self, key: str, entry: dict[str, Any]) -> None:
        """Write atomically, then keep the `keep` most recently used entries."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump(entry, f)
            os.replace(tmp, self._path(key))
            entries = sorted(self.folder.glob("*.json"), key=_mtime, reverse=True)
            for old in entries[self.keep:]:
                old.unlink(missing_ok=True)
        except OSError:
            return


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
