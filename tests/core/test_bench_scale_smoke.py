"""The scale benchmark runs end to end on a small lake: its chunk-by-chunk lake answers the
Overview exactly as one `Lake.ingest` of the same rows (``--check`` exits non-zero otherwise),
and it records its entries with the documented shape. No timings are asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_scale_benchmark_small(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    data = tmp_path / "data"
    env = {**os.environ, "SOCIALPULSE_BENCH_RESULTS": str(results)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_scale", "--rows", "20000", "--chunk-posts", "1500",
         "--engines", "duckdb", "--check", "--repeat", "1", "--data", str(data)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "chunk 5/5 written" in proc.stdout  # four chunks of posts, then the daily rows
    out = json.loads(results.read_text())
    assert set(out) == {"scale_20000_overview_duckdb", "scale_20000_overview_duckdb_peak_memory"}
    for entry in out.values():
        assert entry["ratio"] == entry["value"] / entry["baseline"] and entry["rows"] == 20000
    assert out["scale_20000_overview_duckdb_peak_memory"]["baseline"] == 4096.0
    assert not data.exists()  # the generated lake is deleted afterwards
