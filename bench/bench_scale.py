"""Benchmark: the Overview on 100M post-snapshot rows, on DuckDB and on PySpark local mode.

The issue's scale target: 3.4 GB of Parquet here (25M posts with 4 lifetime snapshots each, 40
accounts over two years, daily followers), the Overview's queries (the 6 KPIs over the last 12
months plus the weekly trend by network, as `bench_metrics` runs them) through the metric
service, once on DuckDB (the default engine) and once with ``--engine spark`` (PySpark local,
the path for data beyond one machine). Each engine runs in its own process, so each peak
memory is its own: the process's VmHWM, and for Spark also its driver JVM's (a child process).
The two answers are compared before anything is recorded, and DuckDB's time has a baseline
measured in the same run: ONE SCAN, DuckDB summing the same files' columns without choosing
any snapshot (the floor, as in `bench_metrics`).

The lake is one import's batch, as `Lake.ingest` writes it (conformed, deduplicated, snapshot
validity intervals, files per month sorted by ``valid_to``), but written a million posts at a
time: one ingest of 100M rows would need some 20 GB of memory for its Arrow tables, which is
a limit of this generator, not of the query. Each chunk goes through the lake's own batch
writer into a scratch folder and its files are renamed into the lake (``c<chunk>b<batch>``,
still the batch's files). ``--check`` also builds the same rows with one `Lake.ingest` and
requires the same Overview from both lakes (the smoke test runs it on a small lake).

    python -m bench.bench_scale [--rows 1000000] [--data /tmp/socialpulse-scale]
                                [--engines duckdb,spark] [--repeat 2] [--check] [--keep]

The issue's run is ``--rows 100000000`` (the default, 1M, is a quick run). Disk: about 35
bytes per row (3.4 GB at 100M, with the intervals' columns and small row groups; check ``df -h
/tmp``); the data is deleted afterwards unless ``--keep``. On 2 shared cores at load 15 writing
it took 45 minutes. Writes ``scale_overview_duckdb``, ``scale_overview_duckdb_peak_memory`` and
``scale_overview_spark`` to bench/results.json (``scale_<rows>_...`` below 100M rows).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench.bench_metrics import KPIS, ONE_SCAN, PERIOD, _same  # noqa: E402
from bench.results import peak_rss_mb, record  # noqa: E402

ACCOUNTS = 40
DAYS = 730
START = date(2024, 11, 1)
SNAPSHOTS_PER_POST = 4
AFTER_DAYS = np.array([1, 3, 7, 28])
SHARE_OF_FINAL = np.array([0.6, 0.85, 0.95, 1.0])
CHUNK_POSTS = 1_000_000
#: The issue's size: runs this large write the ``scale_*`` entries, smaller ones ``scale_<rows>_*``.
FULL = 100_000_000
#: The issue's memory budget for the Overview on DuckDB.
BUDGET_MB = 4096.0


# --- data -----------------------------------------------------------------------------------

def chunk_tables(ids: np.ndarray, first: int, n: int) -> dict[str, pa.Table]:
    """Posts ``first .. first+n-1`` and their 4 snapshots each; seeded by ``first``, so a lake
    built chunk by chunk and one built at once hold the same rows."""
    rng = np.random.default_rng([7, first])
    acc = ids[rng.integers(0, len(ids), n)]
    day = rng.integers(0, DAYS, n).astype(np.int64)
    base_us = int(datetime(START.year, START.month, START.day, tzinfo=UTC).timestamp()) * 10**6
    published = base_us + (day * 86_400 + rng.integers(0, 86_400, n)) * 1_000_000
    post_ids = np.char.add("p", np.arange(first, first + n).astype(str))
    posts = pa.table({
        "account_id": acc, "post_id": post_ids,
        "published_at": pa.array(published, pa.timestamp("us", tz="UTC")),
        "local_date": pa.array((published // 86_400_000_000).astype("int32"), pa.date32()),
    })
    final = rng.lognormal(7, 1, n)
    rate = rng.uniform(0.005, 0.06, n)
    reps = np.repeat(np.arange(n), SNAPSHOTS_PER_POST)
    step = np.tile(np.arange(SNAPSHOTS_PER_POST), n)
    share = SHARE_OF_FINAL[step]
    observed = published[reps] + AFTER_DAYS[step] * 86_400 * 1_000_000
    eng = (final[reps] * rate[reps] * share).astype(np.int64)
    snaps = pa.table({
        "account_id": acc[reps], "post_id": post_ids[reps],
        "observed_at": pa.array(observed, pa.timestamp("us", tz="UTC")),
        "impressions": (final[reps] * share).astype(np.int64), "engagements": eng,
        "likes": (eng * 0.6).astype(np.int64), "comments": (eng * 0.1).astype(np.int64),
        "shares": (eng * 0.1).astype(np.int64),
    })
    return {"posts": posts, "post_snapshots": snaps}


def daily_table(ids: np.ndarray) -> pa.Table:
    """Followers of each account on each day (slow exponential growth)."""
    rng = np.random.default_rng(11)
    growth = rng.uniform(0.0002, 0.002, len(ids))
    start = rng.integers(1_000, 200_000, len(ids))
    followers = start[:, None] * np.exp(growth[:, None] * np.arange(DAYS)[None, :])
    dates = [START + timedelta(days=i) for i in range(DAYS)]
    return pa.table({
        "account_id": np.repeat(ids, DAYS), "date": pa.array(dates * len(ids), pa.date32()),
        "followers": followers.astype(np.int64).ravel(),
        "observed_at": pa.array([datetime(2026, 11, 1, tzinfo=UTC)] * (len(ids) * DAYS)),
    })


def _new_workspace(home: Path) -> tuple[Any, Any, np.ndarray]:
    from socialpulse.bootstrap import open_home
    from socialpulse.domain.models import Network
    from socialpulse.settings import Settings

    app = open_home(Settings(home=home), create=True)
    ws = app.store.create_workspace("bench", "Bench", "UTC", ["en"])
    nets = [Network.X, Network.INSTAGRAM, Network.FACEBOOK, Network.LINKEDIN]
    ids = np.array([app.store.ensure_account(ws.id, nets[i % 4], f"@acc{i}").id
                    for i in range(ACCOUNTS)], dtype=np.int64)
    return app, ws, ids


def _chunks(n_posts: int, chunk_posts: int) -> list[tuple[int, int]]:
    return [(f, min(chunk_posts, n_posts - f)) for f in range(0, n_posts, chunk_posts)]


def build_chunked(home: Path, rows: int, chunk_posts: int = CHUNK_POSTS) -> float:
    """The lake as one batch written chunk by chunk (see the module docstring); its size in
    GB."""
    from socialpulse.adapters.lake import Lake, prepare

    app, ws, ids = _new_workspace(home)
    owner = f"bench-scale-{os.getpid()}"
    lease = datetime.now(UTC) + timedelta(hours=12)
    state, batch = app.store.claim_batch(ws.id, "bench scale", "bench", f"scale-{rows}", owner,
                                         lease)
    assert state == "claimed" and batch is not None, state
    files: list[str] = []
    counts: dict[str, int] = {}
    parts = [*_chunks(rows // SNAPSHOTS_PER_POST, chunk_posts), (-1, 0)]
    for c, (first, n) in enumerate(parts):
        tables = (chunk_tables(ids, first, n) if first >= 0
                  else {"account_daily": daily_table(ids)})
        conformed, _ = prepare("bench", tables)
        scratch = Lake(home / f"scratch-{c}", app.store)
        written, got = scratch._write_batch(ws.id, batch.id, conformed, owner)
        for rel in written:  # still the batch's files (adapters/lake_intervals.batch_of)
            folder, name = rel.rsplit("/", 1)
            renamed = f"{folder}/c{c:04d}{name}"
            (app.lake.root / folder).mkdir(parents=True, exist_ok=True)
            os.replace(scratch.root / rel, app.lake.root / renamed)
            files.append(renamed)
        shutil.rmtree(scratch.root)
        for k, v in got.items():
            counts[k] = counts.get(k, 0) + v
        print(f"  chunk {c + 1}/{len(parts)} written", flush=True)
    app.store.commit_batch(batch.id, files, counts, owner=owner)
    app.store.dispose()
    return sum((app.lake.root / f).stat().st_size for f in files) / 1e9


def build_ingested(home: Path, rows: int, chunk_posts: int) -> None:
    """The same rows as `build_chunked`, imported with one `Lake.ingest` (small sizes only)."""
    app, ws, ids = _new_workspace(home)
    parts = [chunk_tables(ids, f, n) for f, n in _chunks(rows // SNAPSHOTS_PER_POST,
                                                           chunk_posts)]
    tables = {k: pa.concat_tables([p[k] for p in parts]) for k in ("posts", "post_snapshots")}
    app.lake.ingest(ws.id, "bench scale", "bench", {**tables, "account_daily": daily_table(ids)})
    app.store.dispose()


# --- contenders (each in its own process) ---------------------------------------------------

def overview(home: Path, engine: str, repeat: int = 2) -> dict[str, Any]:
    """The Overview's two queries through the metric service: the first run (cold: files,
    compiling, Spark's start) and the best of ``repeat`` more."""
    from socialpulse.bootstrap import open_home
    from socialpulse.domain.periods import DateRange, Grain
    from socialpulse.domain.query import Breakdown
    from socialpulse.settings import Settings

    t0 = time.perf_counter()
    app = open_home(Settings(home=home, query_engine=engine))
    ws = app.workspace("bench")
    period = DateRange(*PERIOD)

    def go() -> dict[str, Any]:
        app.metrics._results._items.clear()  # measure the engine, not the service's memo
        kpi = app.metrics.compute(ws, [(m, None) for m in KPIS], period=period)
        trend = app.metrics.compute(
            ws, [(m, None) for m in KPIS[:4]], Breakdown(("network",), Grain.WEEK), period)
        return {"kpis": kpi.records()[0], "trends": trend.records()}

    result = go()
    first = time.perf_counter() - t0
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        go()
        best = min(best, time.perf_counter() - t0)
    return {"first_seconds": first, "seconds": best, "result": result,
            "peak_mb": peak_rss_mb(), "children_peak_mb": _children_peak_mb()}


def one_scan(home: Path) -> dict[str, Any]:
    """The floor: every file the Overview reads, read once (best of 3)."""
    import duckdb

    from socialpulse.bootstrap import open_home
    from socialpulse.settings import Settings

    app = open_home(Settings(home=home))
    ws = app.workspace("bench")
    params = {d: [str(p) for p in app.lake.files(ws.id, d)]
              for d in ("post_snapshots", "posts", "account_daily")}
    con = duckdb.connect()
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        con.execute(ONE_SCAN, {"snaps": params["post_snapshots"], "posts": params["posts"],
                               "daily": params["account_daily"]}).fetchone()
        best = min(best, time.perf_counter() - t0)
    return {"seconds": best, "peak_mb": peak_rss_mb()}


def _children_peak_mb() -> float:
    """The largest peak resident memory among this process's live descendants (Spark's JVM),
    read from /proc before they exit; 0 without any."""
    me, peak = str(os.getpid()), 0.0
    parents: dict[str, str] = {}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[entry.name] = stat.rsplit(")", 1)[1].split()[1]
    for pid in parents:
        p = parents.get(pid)
        while p not in (None, "0", "1", me):
            p = parents.get(p)  # type: ignore[arg-type]
        if p == me and pid != me:
            for line in (Path("/proc") / pid / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
    return peak


PHASES = {"duckdb": lambda h, r: overview(h, "duckdb", r),
          "spark": lambda h, r: overview(h, "spark", r), "one_scan": lambda h, r: one_scan(h)}


def _phase(name: str, home: Path, repeat: int = 2) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "bench.bench_scale", "--phase", name,
                           "--home", str(home), "--repeat", str(repeat)], cwd=ROOT.parent,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{name}: {out['seconds']:.2f} s, peak {out['peak_mb']:.0f} MiB", flush=True)
    return out


# --- driver ---------------------------------------------------------------------------------

def run(rows: int, data: Path, engines: list[str], check: bool, chunk_posts: int,
        repeat: int) -> None:
    home = data / f"scale-{rows}"
    if home.exists():
        shutil.rmtree(home)
    t0 = time.perf_counter()
    print(f"writing {rows:,} post-snapshot rows to {home} ...", flush=True)
    gb = build_chunked(home, rows, chunk_posts)
    print(f"  {gb:.2f} GB of Parquet in {time.perf_counter() - t0:.0f} s", flush=True)
    if check:
        build_ingested(data / f"ingested-{rows}", rows, chunk_posts)
        _same(_phase("duckdb", data / f"ingested-{rows}")["result"],
              _phase("duckdb", home)["result"], "chunked lake vs one ingest")
    floor = _phase("one_scan", home)
    extra = {"rows": rows, "parquet_gb": round(gb, 2)}
    name = "scale" if rows >= FULL else f"scale_{rows}"  # a smaller run never hides the full one
    duck = _phase("duckdb", home, repeat)
    # recorded at once: the Spark run that follows may take long on a small machine
    record(f"{name}_overview_duckdb", duck["seconds"], floor["seconds"], "seconds", **extra,
           baseline_is="ONE SCAN of the same files (DuckDB, no snapshot chosen)",
           first_run_seconds=duck["first_seconds"], peak_mb=duck["peak_mb"])
    record(f"{name}_overview_duckdb_peak_memory", duck["peak_mb"], BUDGET_MB, "MiB", **extra,
           baseline_is="the issue's budget (4 GiB)", one_scan_peak_mb=floor["peak_mb"])
    if "spark" in engines:
        spark = _phase("spark", home, repeat)
        _same(duck["result"], spark["result"], "DuckDB vs Spark")
        record(f"{name}_overview_spark", spark["seconds"], duck["seconds"], "seconds", **extra,
               baseline_is="the same Overview on DuckDB", engine="PySpark local[*]",
               first_run_seconds=spark["first_seconds"],
               driver_python_peak_mb=spark["peak_mb"],
               driver_jvm_peak_mb=spark["children_peak_mb"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000,
                    help="post-snapshot rows (the issue's run: 100000000)")
    ap.add_argument("--data", type=Path, default=Path("/tmp/socialpulse-scale"))
    ap.add_argument("--engines", default="duckdb,spark", help="duckdb, or duckdb,spark")
    ap.add_argument("--chunk-posts", type=int, default=CHUNK_POSTS)
    ap.add_argument("--check", action="store_true", help="also compare with one Lake.ingest")
    ap.add_argument("--keep", action="store_true", help="keep the generated lake")
    ap.add_argument("--repeat", type=int, default=2, help="timed runs after the first")
    ap.add_argument("--phase", choices=list(PHASES))
    ap.add_argument("--home", type=Path)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.home, args.repeat), default=str))
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    try:
        run(args.rows, args.data, engines, args.check, args.chunk_posts, args.repeat)
    finally:
        if not args.keep:
            shutil.rmtree(args.data, ignore_errors=True)


if __name__ == "__main__":
    main()
