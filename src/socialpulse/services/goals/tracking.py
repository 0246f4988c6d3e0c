"""Tracking goals: the current value over the goal's window, progress against the expected
path, the forecast at the deadline and the status with its reason.

Only writes pass ``record``: viewing a goal never writes its status history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from socialpulse.domain import forecast as fc
from socialpulse.domain import goals as g
from socialpulse.domain.formatting import format_value
from socialpulse.domain.goals import Goal, StatusEntry
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import trailing
from socialpulse.services.ports import GoalsStore

from .measuring import GoalMeasurer
from .view import Series, Tracking

#: stored in a goal's baseline "how": its baseline is its window ending on its start day.
#: Goals stored before this rule lack it and keep the period they were measured over.
RULE = "window ending on the start day"


@dataclass
class Projection:
    """The forecast at the deadline, anchored to the current value, and what it means for
    progress (``best``: the better end of its interval)."""

    forecast: fc.Forecast | None = None
    shift: float = 0.0
    progress: float | None = None
    best: float | None = None
    fmt: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _anchored(fcast: fc.Forecast, series: Series, current: float) -> tuple[fc.Forecast, float]:
    """The model's window value combines weekly rates; anchor it to the engine's exact value
    of the current window (a ratio of sums) so both agree today."""
    shift = current - series.window[-1]
    floor = 0.0 if all(v >= 0 for v in series.values) else -math.inf

    def moved(v: float | None) -> float | None:
        return None if v is None else max(v + shift, floor)

    return replace(fcast, point=max(fcast.point + shift, floor), lower=moved(fcast.lower),
                   upper=moved(fcast.upper)), shift


class GoalTracker:
    """Reads a goal's state on a day; records its status only when asked to."""

    def __init__(self, measure: GoalMeasurer, repo: GoalsStore) -> None:
        self.measure = measure
        self.repo = repo

    def project(self, goal: Goal, unit: str, series: Series | None, as_of: date,
                current: float | None) -> Projection:
        """The forecast at the deadline when the history allows one (three weeks at least,
        the deadline still ahead)."""
        p = Projection()
        if series is None or as_of >= goal.deadline or len(series.values) < 3:
            return p
        last_sunday = series.weeks[-1] + timedelta(days=6)
        steps = max(1, math.ceil((goal.deadline - last_sunday).days / 7))
        fcast = self.measure.forecast(series, steps)
        if unit != "count" and current is not None and series.window:
            fcast, p.shift = _anchored(fcast, series, current)
        p.forecast = fcast
        p.progress = p.best = g.progress(fcast.point, goal.baseline_value, goal.target_value)
        p.fmt["forecast"] = format_value(fcast.point, unit)
        if fcast.lower is not None and fcast.upper is not None:
            p.best = max(p.progress,
                         g.progress(fcast.lower, goal.baseline_value, goal.target_value),
                         g.progress(fcast.upper, goal.baseline_value, goal.target_value))
            p.fmt["lower"] = format_value(fcast.lower, unit)
            p.fmt["upper"] = format_value(fcast.upper, unit)
        if fcast.note:
            p.notes.append(f"forecast: {fcast.note}")
        return p

    @staticmethod
    def _notes(goal: Goal, as_of: date, data_end: date | None) -> tuple[list[str], date]:
        """Notes on how the goal is measured, and the day it is measured up to."""
        notes: list[str] = []
        if goal.baseline_how.get("rule") != RULE and goal.baseline.end < goal.start_date:
            notes.append(f"baseline kept as first measured, over {goal.baseline.label()}: this "
                         "goal predates baselines measured over the window ending on the start "
                         "day, so its progress did not start at 0")
        if data_end is not None and data_end < as_of:
            notes.append(f"data ends {data_end.isoformat()}: measured up to that day")
            as_of = data_end
        return notes, as_of

    @staticmethod
    def _status(goal: Goal, today: date, as_of: date, prog: float | None, expected: float,
                p: Projection, fmt: dict[str, str]) -> g.StatusResult:
        if prog is None:
            return g.StatusResult(
                g.Status.AT_RISK if today <= goal.deadline else g.Status.MISSED,
                f"no data for {goal.metric} in the window up to {as_of.isoformat()}")
        return g.assess_status(today=today if today > goal.deadline else as_of,
                               deadline=goal.deadline, progress_now=prog, expected=expected,
                               forecast_progress=p.progress, forecast_best=p.best,
                               fmt={**fmt, **p.fmt})

    def track(self, ws: Workspace, goal: Goal, today: date, data_end: date | None,
              record: bool, detail: bool) -> Tracking:
        """The goal as of ``today`` (measured up to the last day with data)."""
        metric = self.measure.catalogue.metric(goal.metric)
        unit = metric.variant(goal.variant).unit
        scope = self.measure.goal_scope_label(ws, goal)
        words = self.measure.in_words(metric, goal.variant, goal.baseline, scope)
        notes, as_of = self._notes(goal, min(today, goal.deadline), data_end)
        current, table = self.measure.value(ws, goal, trailing(as_of, goal.window_days))
        notes.extend(table.notes)
        series = self.measure.series(ws, goal, as_of)
        if current is None and series is not None and series.kind == "sum":
            current = 0.0  # an additive count with no rows in the window is zero
        prog = None if current is None else g.progress(current, goal.baseline_value,
                                                       goal.target_value)
        expected = g.expected_progress(goal.start_date, goal.deadline, as_of,
                                       goal.baseline_value, goal.target_value, goal.milestones)
        fmt = {"target": format_value(goal.target_value, unit)}
        if current is not None:
            fmt["current"] = format_value(current, unit)
        p = self.project(goal, unit, series, as_of, current)
        notes.extend(p.notes)
        status = self._status(goal, today, as_of, prog, expected, p, fmt)
        point = p.forecast.point if p.forecast else None
        if record and not goal.archived:
            self.repo.record_status(goal.id, StatusEntry(
                today, status.status.value, status.reason, prog, current, point))
        t = Tracking(goal=goal, metric=metric, unit=unit, as_of=as_of, today=today,
                     current=current, progress=prog, expected=expected, forecast=p.forecast,
                     forecast_progress=p.progress, status=status.status, reason=status.reason,
                     scope_label=scope, series=series, notes=notes,
                     forecast_shift=p.shift, baseline_words=words)
        if detail:
            t.checkins = self.repo.checkins(goal.id)
            t.history = self.repo.status_history(goal.id)
        return t
