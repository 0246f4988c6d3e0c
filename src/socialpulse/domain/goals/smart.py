"""SMART checks of a goal: one verdict (pass, warn, fail) per letter with a plain explanation,
and the achievability rule that compares the change asked for with the history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..metrics import Metric
from .progress import relative_change

CheckLevel = Literal["pass", "warn", "fail"]


@dataclass(frozen=True)
class SmartCheck:
    letter: str
    name: str
    level: CheckLevel
    explanation: str

    def as_dict(self) -> dict[str, str]:
        return {"letter": self.letter, "name": self.name, "level": self.level,
                "explanation": self.explanation}


@dataclass(frozen=True)
class Achievability:
    level: CheckLevel
    explanation: str
    required: float | None  # relative change asked for
    best: float | None  # best change of the same horizon in history (in the target's direction)
    share_at_least: float | None  # share of past periods that changed at least as much


def _pct(x: float) -> str:
    return f"{x * 100:+.0f}%"


def achievability(
    baseline: float,
    target: float,
    horizon_days: int,
    history_changes: Sequence[float],
    history_label: str,
) -> Achievability:
    """Compare the change asked for with the changes of the same horizon in the history.

    ``history_changes`` are relative changes of the metric over ``horizon_days`` in the past
    (one per start week). Above the best one: fail. Above what three periods in four did
    (in the target's direction): a stretch, warned. Otherwise achievable.
    """
    req = relative_change(baseline, target)
    up = target > baseline
    if req is None:
        return Achievability("warn", "the baseline is 0, so the change cannot be compared "
                             "with the history as a percentage", None, None, None)
    if not history_changes:
        return Achievability("warn", f"needs {_pct(req)} in {horizon_days} days; the history "
                             f"is too short to hold a {horizon_days}-day change", req, None,
                             None)
    signed = [c if up else -c for c in history_changes]
    need = req if up else -req
    best_signed = max(signed)
    best = best_signed if up else -best_signed
    share = sum(1 for c in signed if c >= need) / len(signed)
    text = (f"needs {_pct(req)} in {horizon_days} days; the best {horizon_days}-day change in "
            f"{history_label} was {_pct(best)}")
    if need > best_signed:
        return Achievability("fail", text + " - lower the target or move the deadline",
                             req, best, share)
    if share < 0.25:
        return Achievability("warn", text + f"; only {share:.0%} of {horizon_days}-day "
                             "periods changed that much: a stretch", req, best, share)
    return Achievability("pass", text + f"; {share:.0%} of {horizon_days}-day periods "
                         "changed at least that much", req, best, share)


def already_met(metric: Metric, current: float, target: float) -> bool:
    """Whether ``current`` is already at or beyond ``target`` in the metric's better direction
    (a goal that asks for what is already there is no goal)."""
    return current >= target if metric.direction == "higher" else current <= target


def _specific(metric: Metric, scope_label: str, accounts: int) -> SmartCheck:
    if accounts > 0:
        return SmartCheck("S", "specific", "pass", f"{metric.name} for {scope_label}")
    return SmartCheck("S", "specific", "fail",
                      f"{metric.name}: the scope {scope_label} holds no account")


def _achievable(metric: Metric, current: float, target: float, achievable: Achievability,
                current_label: str, target_label: str) -> SmartCheck:
    """A target already met today fails whatever the history says (it asks for nothing)."""
    if already_met(metric, current, target):
        better = "higher" if metric.direction == "higher" else "lower"
        return SmartCheck(
            "A", "achievable", "fail",
            f"the target is already met today: {metric.name} is {current_label}, "
            f"{better} is better and the target is {target_label}; set a target beyond "
            "today's value")
    return SmartCheck("A", "achievable", achievable.level, achievable.explanation)


def _relevant(metric: Metric, baseline: float, target: float, goal_type_name: str,
              goal_type_metrics: Sequence[str], objective: str) -> SmartCheck:
    """Warned when the target moves the metric the wrong way or the goal type does not
    recommend the metric; passed otherwise."""
    up = target > baseline
    if (metric.direction == "higher") != up:
        return SmartCheck(
            "R", "relevant", "warn",
            f"the target moves {metric.name} {'up' if up else 'down'}, but "
            f"{'lower' if metric.direction == 'lower' else 'higher'} is better for it")
    if metric.id in goal_type_metrics:
        return SmartCheck("R", "relevant", "pass",
                          f"{metric.name} is a recommended metric for {goal_type_name}; "
                          f"serves: {objective}")
    rec = ", ".join(goal_type_metrics) or "internal milestones"
    return SmartCheck("R", "relevant", "warn",
                      f"{metric.name} is not among the metrics recommended for "
                      f"{goal_type_name} ({rec}); serves: {objective}")


def _time_bound(created: date, deadline: date, window_days: int) -> SmartCheck:
    days = (deadline - created).days
    if days <= 0:
        return SmartCheck("T", "time-bound", "fail",
                          f"the deadline {deadline.isoformat()} is not in the future")
    if days < 7:
        return SmartCheck("T", "time-bound", "warn",
                          f"deadline {deadline.isoformat()}, only {days} days away")
    return SmartCheck("T", "time-bound", "pass",
                      f"deadline {deadline.isoformat()}, {days} days away; measured "
                      f"over the {window_days} days up to it")


def smart_checks(
    *,
    metric: Metric,
    scope_label: str,
    accounts: int,
    baseline: float,
    baseline_label: str,
    target: float,
    achievable: Achievability,
    current: float,
    current_label: str,
    target_label: str,
    goal_type_id: str,
    goal_type_name: str,
    goal_type_metrics: Sequence[str],
    objective: str,
    created: date,
    deadline: date,
    window_days: int,
) -> list[SmartCheck]:
    """One check per letter, each with a plain explanation."""
    return [
        _specific(metric, scope_label, accounts),
        SmartCheck("M", "measurable", "pass", f"computed from the data held: {baseline_label}"),
        _achievable(metric, current, target, achievable, current_label, target_label),
        _relevant(metric, baseline, target, goal_type_name, goal_type_metrics, objective),
        _time_bound(created, deadline, window_days),
    ]
