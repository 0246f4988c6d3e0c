"""The Overview benchmark runs end to end on a small lake, and its three contenders agree.

Timings are not asserted (they belong to bench/results.json); what is asserted is that
socialpulse, the hand-written DuckDB SQL and pandas compute the same numbers (the script exits
non-zero otherwise) and that the results file has the documented shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _run_small(module: str, tmp_path: Path) -> dict[str, Any]:
    """Run a benchmark on a 20,000-row lake; it exits non-zero when its contenders disagree."""
    results = tmp_path / "results.json"
    env = {**os.environ, "SOCIALPULSE_BENCH_RESULTS": str(results)}
    proc = subprocess.run(
        [sys.executable, "-m", module, "--rows", "20000", "--data", str(tmp_path / "data")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data: dict[str, Any] = json.loads(results.read_text())
    return data


def test_overview_benchmark_small(tmp_path: Path) -> None:
    data = _run_small("bench.bench_metrics", tmp_path)
    for name in ("overview_vs_one_scan", "overview_vs_duckdb_sql", "overview_vs_pandas",
                 "overview_peak_memory_vs_duckdb_sql"):
        entry = data[name]
        assert set(entry) >= {"value", "baseline", "ratio", "unit"}
        assert entry["ratio"] == entry["value"] / entry["baseline"]
        assert entry["rows"] == 20000


def test_posts_benchmark_small(tmp_path: Path) -> None:
    """The Posts page and the hand-written SQL return the same page on a small lake, and
    the page is also timed against one scan of the columns it reads."""
    data = _run_small("bench.bench_posts", tmp_path)
    for name in ("posts_page_vs_duckdb_sql", "posts_page_vs_one_scan"):
        entry = data[name]
        assert entry["ratio"] == entry["value"] / entry["baseline"] and entry["rows"] == 20000


def test_import_benchmark_small(tmp_path: Path) -> None:
    """The import benchmark imports every generated row and records a ratio to DuckDB's reader."""
    results = tmp_path / "results.json"
    env = {**os.environ, "SOCIALPULSE_BENCH_RESULTS": str(results)}
    proc = subprocess.run(
        [sys.executable, "bench/bench_import.py", "--rows", "2000"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    entry = json.loads(results.read_text())["import_x_tweets_1m"]
    assert entry["ratio"] == entry["value"] / entry["baseline"] and entry["rows"] == 2000


def test_pages_benchmark_small(demo_home_template: Path, tmp_path: Path) -> None:
    """The load script serves the demo, times every page against a static file, and counts
    no failed request, also while another process imports and compacts."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(demo_home_template, home)
    results = tmp_path / "results.json"
    env = {**os.environ, "SOCIALPULSE_BENCH_RESULTS": str(results)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_pages", "--home", str(home), "--users", "3",
         "--think", "0.5", "--seconds", "4", "--clients", "2", "--closed-seconds", "2",
         "--timeout", "300"],  # failures, not slowness: the machine may be busy
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(results.read_text())
    for name in ("overview", "posts", "metrics"):
        for label in ("demo", "demo_with_writes"):
            entry = data[f"pages_{name}_p95_{label}"]
            assert entry["requests"] > 0 and entry["ratio"] == entry["value"] / entry["baseline"]
    assert data["pages_overview_closed_loop_demo"]["value"] > 0


def test_cli_benchmark_small(demo_home_template: Path, tmp_path: Path) -> None:
    """The CLI benchmark runs each command as a whole process on the demo (a failing command
    aborts it) and records wall and CPU ratios to ``python -c "import duckdb"``."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(demo_home_template, home)
    results = tmp_path / "results.json"
    env = {**os.environ, "SOCIALPULSE_BENCH_RESULTS": str(results)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_cli", "--home", str(home), "--repeat", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(results.read_text())
    for name in ("cli_help", "cli_metrics_compute", "cli_posts", "cli_metrics_compute_cold"):
        entry = data[name]
        assert entry["ratio"] == entry["value"] / entry["baseline"]
        assert entry["cpu_ratio"] == entry["cpu_seconds"] / entry["baseline_cpu_seconds"]
        assert entry["repeat"] == 1 and entry["command"]
