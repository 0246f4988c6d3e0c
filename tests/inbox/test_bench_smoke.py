"""The inbox benchmark runs end to end at a tiny size and writes an entry per view.

Timings are not asserted (they belong to bench/results.json); the script itself exits 1 when
a page of the inbox differs from the hand-written query of the same page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_inbox_benchmark_small(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    env = {**os.environ, "SOCIALPULSE_BENCH_RESULTS": str(results)}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_inbox", "--messages", "4000", "--repeat", "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(results.read_text())
    for view in ("default", "status_open", "network", "assignee", "sentiment", "language",
                 "tag", "unanswered"):
        entry = data[f"inbox_page_p95_{view}"]
        assert entry["unit"] == "ms" and entry["messages"] == 4000
        assert entry["ratio"] == entry["value"] / entry["baseline"]
