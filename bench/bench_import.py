"""Benchmark: import a generated 1M-row X tweet-activity CSV, against DuckDB in the same run.

socialpulse: the whole import through the service (detect, parse, validate, map to accounts,
content hash, Parquet files, ledger commit). Baseline: DuckDB's own ``read_csv`` of the same
file straight into Parquet (``COPY ... TO ... (FORMAT parquet)``), no validation, no ledger.
Target: within 2x. The CSV has the real export's 40 columns, quoting and "-" for promoted
metrics; rows are deterministic (seeded).

    .venv/bin/python bench/bench_import.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import record  # noqa: E402
from socialpulse.bootstrap import open_home  # noqa: E402
from socialpulse.domain.actor import Actor  # noqa: E402
from socialpulse.services.import_model import Limits  # noqa: E402
from socialpulse.services.imports import ImportOptions  # noqa: E402
from socialpulse.settings import Settings  # noqa: E402

COLUMNS = [
    "Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements",
    "engagement rate", "retweets", "replies", "likes", "user profile clicks", "url clicks",
    "hashtag clicks", "detail expands", "permalink clicks", "app opens", "app installs",
    "follows", "email tweet", "dial phone", "media views", "media engagements",
    *[f"promoted {c}" for c in (
        "impressions", "engagements", "engagement rate", "retweets", "replies", "likes",
        "user profile clicks", "url clicks", "hashtag clicks", "detail expands",
        "permalink clicks", "app opens", "app installs", "follows", "email tweet", "dial phone",
        "media views", "media engagements")],
]
TEXTS = [
    "New #rstats pkg on CRAN https://t.co/wxBwTWURs6 - parse Darwin Core",
    'Join our "Community Call" next week, details: https://t.co/lyXpM76rjm',
    "November News 💌 #RStats\n\nhttps://t.co/so6V8HcS4j\n📦 23 updates",
    "[help wanted] rOpenSci 📦 biomartr is looking for a new maintainer, see https://t.co/x",
]


def generate(path: Path, rows: int, seed: int = 42) -> None:
    """A deterministic export: one account, ~3 years of tweets, quoted like X does."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1_300_000_000_000_000_000, 1_300_000_000_000_000_000 + rows, dtype=np.int64)
    start = int(datetime(2021, 1, 1, tzinfo=UTC).timestamp())
    secs = np.sort(rng.integers(start, start + 3 * 365 * 86400, rows)) // 60 * 60
    times = pa.array(secs * 1_000_000, pa.timestamp("us", tz="UTC"))
    impressions = rng.integers(50, 20_000, rows)
    parts = {c: rng.integers(0, 40, rows) for c in ("retweets", "replies", "likes",
                                                    "user profile clicks", "url clicks",
                                                    "hashtag clicks", "detail expands",
                                                    "permalink clicks")}
    engagements = sum(parts.values())
    cols: dict[str, pa.Array] = {
        "Tweet id": pa.array(ids.astype(str)),
        "Tweet permalink": pa.array(np.char.add("https://twitter.com/benchacct/status/",
                                                ids.astype(str))),
        "Tweet text": pa.array(np.array(TEXTS, dtype=object)[rng.integers(0, 4, rows)]),
        "time": pa.compute.strftime(times, format="%Y-%m-%d %H:%M +0000"),
        "impressions": pa.array(np.char.add(impressions.astype(str), ".0")),
        "engagements": pa.array(np.char.add(engagements.astype(str), ".0")),
        "engagement rate": pa.array((engagements / impressions).astype(str)),
    }
    for c in COLUMNS[7:]:
        if c.startswith("promoted"):
            cols[c] = pa.array(np.full(rows, "-", dtype=object))
        elif c in parts:
            cols[c] = pa.array(np.char.add(parts[c].astype(str), ".0"))
        else:
            cols[c] = pa.array(np.full(rows, "0", dtype=object))
    table = pa.table({c: cols[c] for c in COLUMNS})
    pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="all_valid"))


def bench(rows: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        csv_path = work / "tweet_activity_metrics_benchacct_20210101_20240101_en.csv"
        t0 = time.perf_counter()
        generate(csv_path, rows)
        size = csv_path.stat().st_size
        print(f"generated {rows:,} rows, {size / 2**20:.0f} MB in {time.perf_counter() - t0:.1f} s")

        # baseline: DuckDB straight to Parquet (best of 3, like socialpulse below)
        baseline = float("inf")
        for i in range(3):
            out = work / f"duckdb-{i}.parquet"
            con = duckdb.connect()
            t0 = time.perf_counter()
            con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar=false)) "
                        f"TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
            baseline = min(baseline, time.perf_counter() - t0)
            n = con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
            con.close()
            assert n == rows, n

        # socialpulse: the whole import through the service, into a fresh home each time
        # (a second import of the same file into the same home is, by design, a no-op)
        value = float("inf")
        for i in range(3):
            app = open_home(Settings(home=work / f"home-{i}"), create=True)
            ws = app.store.create_workspace("bench", "Bench", "Europe/Madrid")
            opts = ImportOptions(limits=Limits(max_file_bytes=4 * 2**30))
            t0 = time.perf_counter()
            res = app.imports.run(Actor.local("bench"), ws, [(csv_path, csv_path.name)], opts)
            value = min(value, time.perf_counter() - t0)
            assert res.rows["posts"] == rows, res.rows  # type: ignore[union-attr]
            app.store.dispose()
        record("import_x_tweets_1m", value, baseline, "seconds", rows=rows,
               file_mb=round(size / 2**20, 1),
               baseline_what="DuckDB read_csv -> COPY TO Parquet (zstd)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    bench(ap.parse_args().rows)


if __name__ == "__main__":
    main()
