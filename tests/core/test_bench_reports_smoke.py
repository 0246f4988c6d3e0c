"""The reports benchmark runs end to end on the demo and records its documented entries.

Timings are not asserted (they belong to bench/results.json); what is asserted is that every
contender ran to completion (the script exits non-zero when one fails or when the report's PDF
and the baseline's PDF differ in text) and that each entry has the documented shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = ("demo_build", "report_pdf_quarterly", "report_pdf_quarterly_cold", "report_preview",
           "report_preview_repeat")


def test_reports_benchmark_on_the_demo(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    env = {**os.environ, "SOCIALPULSE_BENCH_RESULTS": str(results)}
    proc = subprocess.run(
        [sys.executable, "bench/bench_reports.py", "--repeat", "1", "--home",
         str(tmp_path / "home")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(results.read_text())
    assert set(data) >= set(ENTRIES)
    for name in ENTRIES:
        entry = data[name]
        assert set(entry) >= {"value", "baseline", "ratio", "unit", "baseline_is"}, name
        assert entry["value"] > 0 and entry["baseline"] > 0, name
        assert entry["ratio"] == entry["value"] / entry["baseline"], name
    assert (tmp_path / "home" / "lake").is_dir()  # the demo the reports ran on
