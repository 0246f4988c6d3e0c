"""A goal as tracked on a day (`Tracking`) and the weekly history behind its forecast
(`Series`), with the one JSON shape the API, the CLI's ``--format json``, the pages and the
report read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from socialpulse.domain import forecast as fc
from socialpulse.domain import goals as g
from socialpulse.domain.formatting import format_value
from socialpulse.domain.goals import CheckIn, Goal, Milestone, StatusEntry
from socialpulse.domain.metrics import Metric
from socialpulse.domain.periods import trailing


@dataclass
class Series:
    """Weekly values and their window aggregates, as the forecast sees them."""

    weeks: list[date]  # Monday of each complete week
    values: list[float]
    window: list[float]  # window value ending at each week from the first full window
    window_weeks: int
    scale: float
    kind: fc.WindowKind


@dataclass
class Tracking:
    goal: Goal
    metric: Metric
    unit: str
    as_of: date
    today: date
    current: float | None
    progress: float | None
    expected: float
    forecast: fc.Forecast | None
    forecast_progress: float | None
    status: g.Status
    reason: str
    scope_label: str
    series: Series | None = None
    forecast_shift: float = 0.0  # added to the model's values (anchoring rates, see tracking)
    baseline_words: str = ""  # how the baseline was computed, in words
    checkins: list[CheckIn] = field(default_factory=list)
    history: list[StatusEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fmt(self, v: float | None) -> str:
        return format_value(v, self.unit)

    def as_dict(self, detail: bool = True) -> dict[str, Any]:
        """The goal's document; ``detail`` adds SMART checks, milestones, check-ins, status
        history and notes (a goal's page; the board and lists leave them out)."""
        out = self._summary()
        if detail:
            out.update(self._detail())
        return out

    def _summary(self) -> dict[str, Any]:
        gl = self.goal
        return {
            "id": gl.id,
            "title": gl.title,
            "goal_type": gl.goal_type,
            "objective": gl.objective,
            "template": gl.template_id,
            "metric": gl.metric,
            "variant": gl.variant or self.metric.default_variant,
            "unit": self.unit,
            "direction": self.metric.direction,
            "scope": {"label": self.scope_label, "account_ids": list(gl.account_ids),
                      "networks": list(gl.networks), "campaign": gl.campaign},
            "owner": gl.owner,
            "start_date": gl.start_date.isoformat(),
            "deadline": gl.deadline.isoformat(),
            "window_days": gl.window_days,
            "baseline": {"period": gl.baseline.label(), "value": gl.baseline_value,
                         "display": self.fmt(gl.baseline_value), "in_words": self.baseline_words,
                         "how": {k: v for k, v in gl.baseline_how.items() if k != "by"}},
            "target": {"value": gl.target_value, "change_pct": gl.target_change_pct,
                       "display": self.fmt(gl.target_value)},
            "current": {"value": self.current, "display": self.fmt(self.current),
                        "as_of": self.as_of.isoformat(),
                        "window": trailing(self.as_of, gl.window_days).label()},
            "progress": self.progress,
            "expected": self.expected,
            "forecast": self._forecast(),
            **g.status_display(self.status),
            "reason": self.reason,
            "archived": gl.archived,
            "key_result_id": gl.key_result_id,
        }

    def _forecast(self) -> dict[str, Any] | None:
        f = self.forecast
        if f is None:
            return None
        return {
            "at": self.goal.deadline.isoformat(),
            "value": f.point, "lower": f.lower, "upper": f.upper,
            "display": self.fmt(f.point),
            "interval_display": (f"{self.fmt(f.lower)} to {self.fmt(f.upper)}"
                                 if f.has_interval else None),
            "coverage": f.coverage, "progress": self.forecast_progress,
            "backtest_mape_pct": f.mape, "backtest_forecasts": f.errors_used,
            "model": "damped trend on weekly values; interval from rolling-origin errors",
            "note": f.note,
        }

    def _detail(self) -> dict[str, Any]:
        gl = self.goal
        return {
            "smart": [dict(c) for c in gl.smart],
            "milestones": [
                {"due": m.due.isoformat(), "target": m.target, "display": self.fmt(m.target),
                 "label": m.label,
                 "reached": None if self.current is None else _reached(gl, m, self.current,
                                                                       self.as_of)}
                for m in gl.milestones
            ],
            "checkins": [
                {"on": c.on.isoformat(), "author": c.author, "comment": c.comment,
                 "value": c.value, "progress": c.progress,
                 **g.status_display(g.Status(c.status))}
                for c in self.checkins
            ],
            "status_history": [
                {"on": e.on.isoformat(), **g.status_display(g.Status(e.status)),
                 "reason": e.reason, "progress": e.progress, "value": e.value,
                 "forecast": e.forecast}
                for e in self.history
            ],
            "notes": self.notes,
        }


def _reached(goal: Goal, m: Milestone, current: float, as_of: date) -> bool | None:
    if as_of < m.due:
        return None
    up = goal.target_value > goal.baseline_value
    return current >= m.target if up else current <= m.target
