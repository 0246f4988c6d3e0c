"""Backtest the goal forecast on the demo workspace: MAPE and interval coverage by horizon.

Usage: .venv/bin/python scripts/backtest_goals.py [--until 2026-10-31] [--home DIR]
       [--horizons 4,8,13] [--window 91] [--metrics reach,impressions,...] [--json]

Without --home it builds the demo in a temporary folder (deterministic for a given --until).
Each forecast is made from one past week with only the data before it; its 80% interval uses
only the errors of forecasts whose target had already been observed at that week.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from socialpulse.bootstrap import local_actor, open_home
from socialpulse.settings import Settings

MAIN_METRICS = ("reach", "impressions", "engagements", "engagement_rate", "followers",
                "amplification_rate", "click_through_rate", "first_response_time")


def run(home: Path | None, until: date, horizons: Sequence[int], window_days: int,
        metrics: Sequence[str]) -> list[dict[str, Any]]:
    """Build (or open) the demo home and backtest every metric at every horizon."""
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="socialpulse-backtest-"))
        app = open_home(Settings(home=home), create=True)
        app.demo.build(local_actor(), until)
    else:
        app = open_home(Settings(home=home))
    try:
        ws = app.workspace("demo")
        return app.goals.backtest(ws, [(m, None) for m in metrics], until, horizons,
                                  window_days)
    finally:
        app.store.dispose()


def _f(v: float | None, pattern: str) -> str:
    return "n/a" if v is None else pattern.format(v)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--until", default="2026-10-31")
    p.add_argument("--home", type=Path, default=None)
    p.add_argument("--horizons", default="4,8,13")
    p.add_argument("--window", type=int, default=91)
    p.add_argument("--metrics", default=",".join(MAIN_METRICS))
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    rows = run(a.home, date.fromisoformat(a.until),
               [int(h) for h in a.horizons.split(",")], a.window,
               [m.strip() for m in a.metrics.split(",") if m.strip()])
    if a.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'metric':<22}{'kind':<6}{'h (wk)':>7}{'n':>5}{'MAPE':>9}{'n int':>7}"
          f"{'cover':>8}{'width':>9}")
    for r in rows:
        print(f"{r['metric']:<22}{r.get('kind', ''):<6}{r['horizon_weeks']:>7}"
              f"{r['forecasts']:>5}{_f(r['mape_pct'], '{:.1f}%'):>9}{r['intervals']:>7}"
              f"{_f(r['coverage'], '{:.0%}'):>8}{_f(r['mean_width_pct'], '{:.0f}%'):>9}")
    cov = [r["coverage"] for r in rows if r["coverage"] is not None]
    mape = [r["mape_pct"] for r in rows if r["mape_pct"] is not None]
    if cov and mape:
        print(f"\nmean MAPE {sum(mape) / len(mape):.1f}%, mean coverage of the nominal 80% "
              f"interval {sum(cov) / len(cov):.0%} ({len(cov)} metric-horizons)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
