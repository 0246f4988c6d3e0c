"""The goal chart's rows: the window measure by week, the projection to the deadline with its
band, the target and baseline lines and the milestones (spec ``goal_progress``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from socialpulse.domain import forecast as fc

from .view import Tracking

CHART_WEEKS = 52


def chart_rows(t: Tracking) -> list[dict[str, Any]]:
    """Rows for the goal chart (``series``: actual, forecast, target, baseline, milestone):
    the window measure by week, the projection to the deadline with its band (widening
    from the last value to the forecast's interval at the deadline), the target and
    baseline lines and the milestones."""
    gl = t.goal
    rows: list[dict[str, Any]] = []
    s = t.series
    if s is not None:
        first = s.window_weeks - 1
        actual = [{"date": (s.weeks[first + i] + timedelta(days=6)).isoformat(),
                   "value": v, "series": "actual"} for i, v in enumerate(s.window)]
        rows.extend(actual[-CHART_WEEKS:])
    f = t.forecast
    if f is not None and s is not None and s.window:
        model = fc.fit(s.values)
        last_end = s.weeks[-1] + timedelta(days=6)
        start_v = s.window[-1] + t.forecast_shift
        rows.append({"date": last_end.isoformat(), "value": start_v, "lower": start_v,
                     "upper": start_v, "series": "forecast"})
        n = len(s.values)
        weeks = [*s.values, *model.path(f.steps)]  # observed, then forecast weeks
        for step in range(1, f.steps + 1):  # linear in the horizon: no per-week refits
            vals = weeks[n + step - s.window_weeks:n + step]
            point = (f.point if step == f.steps
                     else fc.window_value(vals, s.kind, s.scale) + t.forecast_shift)
            frac = step / f.steps
            lo = point + (f.lower - f.point) * frac if f.lower is not None else point
            hi = point + (f.upper - f.point) * frac if f.upper is not None else point
            day = min(last_end + timedelta(days=7 * step), gl.deadline)
            rows.append({"date": day.isoformat(), "value": point, "lower": min(lo, point),
                         "upper": max(hi, point), "series": "forecast"})
    start = rows[0]["date"] if rows else gl.start_date.isoformat()
    for name, value in (("target", gl.target_value), ("baseline", gl.baseline_value)):
        rows.append({"date": start, "value": value, "series": name})
        rows.append({"date": gl.deadline.isoformat(), "value": value, "series": name})
    for m in gl.milestones:
        rows.append({"date": m.due.isoformat(), "value": m.target, "series": "milestone",
                     "label": m.label or f"milestone {m.due.isoformat()}"})
    return rows
