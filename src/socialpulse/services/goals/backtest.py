"""Backtest of the goal forecast: how well it would have predicted the workspace's own
metrics in the past (``scripts/backtest_goals.py`` prints it; docs/goals.md quotes it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from socialpulse.domain import forecast as fc
from socialpulse.domain.goals import Goal
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import trailing

from .measuring import GoalMeasurer
from .view import Series


def _row(series: Series | None, h: int) -> dict[str, Any]:
    """The backtest's figures for one horizon (empty without enough history)."""
    if series is None:
        return {"forecasts": 0, "mape_pct": None, "intervals": 0, "coverage": None,
                "mean_width_pct": None}
    b = fc.backtest(series.values, h, series.kind, series.window_weeks, series.scale)
    return {"kind": series.kind, "forecasts": b.forecasts, "mape_pct": b.mape,
            "intervals": b.intervals, "coverage": b.coverage, "nominal": b.nominal,
            "mean_width_pct": b.mean_width_pct}


def backtest(
    measure: GoalMeasurer,
    ws: Workspace,
    metrics: Sequence[tuple[str, str | None]],
    as_of: date,
    horizons_weeks: Sequence[int] = (4, 8, 13),
    window_days: int = 91,
    networks: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Rolling-origin backtest of the goal forecast on the workspace's own accounts: for
    each metric and horizon, MAPE and how often the 80% interval held the actual value."""
    accs, nets = measure.scope(ws, (), networks)
    out: list[dict[str, Any]] = []
    for metric_id, variant in metrics:
        metric = measure.catalogue.metric(metric_id)
        probe = Goal(
            id=0, workspace_id=ws.id, title="", goal_type="", objective="",
            metric=metric.id, variant=variant, account_ids=tuple(a.id for a in accs),
            networks=nets, campaign=None, baseline=trailing(as_of, window_days),
            baseline_value=0.0, baseline_how={}, window_days=window_days,
            target_value=1.0, target_change_pct=None, start_date=as_of, deadline=as_of)
        series = measure.series(ws, probe, as_of)
        for h in horizons_weeks:
            out.append({"metric": metric.id, "variant": variant or metric.default_variant,
                        "horizon_weeks": h, "window_days": window_days,
                        "weeks": len(series.values) if series else 0, **_row(series, h)})
    return out
