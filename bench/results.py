"""Shared writer of bench/results.json: each benchmark merges its own entries.

Format: {"name": {"value": x, "baseline": y, "ratio": x / y, "unit": "..."}}. Ratios compare
socialpulse with a baseline measured in the same run (hand-written DuckDB SQL, pandas, the
library alone), never bare seconds across machines.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")


def results_path() -> Path:
    """bench/results.json, or $SOCIALPULSE_BENCH_RESULTS (the smoke test writes elsewhere)."""
    override = os.environ.get("SOCIALPULSE_BENCH_RESULTS")
    return Path(override) if override else RESULTS


def record(name: str, value: float, baseline: float, unit: str, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "value": value,
        "baseline": baseline,
        "ratio": value / baseline if baseline else None,
        "unit": unit,
        **extra,
    }
    data: dict[str, Any] = {}
    path = results_path()
    if path.exists():
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            data = {}
    data[name] = entry
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
    print(f"{name}: value={value:.4g} baseline={baseline:.4g} ratio={entry['ratio']:.3g} {unit}")
    return entry


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Best wall time of a few runs (seconds): the least noisy estimate on a shared machine."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB.

    Reads VmHWM (reset when a process execs) rather than getrusage's ru_maxrss, which Linux
    carries over from the parent across exec and would charge the parent's peak to the child.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
