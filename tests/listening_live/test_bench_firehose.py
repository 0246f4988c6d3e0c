"""The firehose benchmark runs end to end at a tiny size and writes its documented entries.

Timings are not asserted (they belong to bench/results.json); the script itself exits
non-zero when the consumer misses an event, stores a different number of mentions than it
reports, or a stored post is not searchable after its batch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_firehose_benchmark_small(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    env = {**os.environ, "SOCIALPULSE_BENCH_RESULTS": str(results)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_firehose", "--events", "600", "--rate", "60",
         "--seconds", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(results.read_text())
    ingest = data["firehose_ingest_vs_parse_only"]
    assert ingest["unit"] == "events/s" and ingest["events"] == 600
    assert ingest["ratio"] == ingest["value"] / ingest["baseline"]
    assert ingest["mentions_stored"] > 0
    latency = data["firehose_searchable_latency"]
    assert latency["baseline"] == 5.0 and latency["batches"] >= 1
