"""The periods of a goal: a template's horizon as a deadline, a named baseline period, and the
baseline window a new goal is measured over."""

from __future__ import annotations

from datetime import date, timedelta

from ..errors import InvalidInput
from ..periods import DateRange, trailing
from .catalogue import BASELINE, HORIZON


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def resolve_horizon(horizon: str, today: date, min_days: int = 30) -> date:
    """Deadline for a template horizon: the end of the current quarter/month/year (the next
    one when fewer than ``min_days`` remain), or N days from today."""
    m = HORIZON.match(horizon)
    if not m:
        raise InvalidInput(f"horizon: {horizon!r} is not quarter, month, year or Nd")
    if m[2]:
        return today + timedelta(days=int(m[2]))
    months = {"month": 1, "quarter": 3, "year": 12}[m[1]]
    start = {"month": today.replace(day=1), "quarter": _quarter_start(today),
             "year": date(today.year, 1, 1)}[m[1]]
    end = _add_months(start, months) - timedelta(days=1)
    if (end - today).days < min_days:
        end = _add_months(start, 2 * months) - timedelta(days=1)
    return end


def resolve_baseline(spec: str, today: date) -> DateRange:
    """Baseline period for a template: the last complete quarter/month, or the last N days."""
    m = BASELINE.match(spec)
    if not m:
        raise InvalidInput(f"baseline: {spec!r} is not previous_quarter, previous_month or last_Nd")
    if m[2]:
        return DateRange(today - timedelta(days=int(m[2]) - 1), today)
    if m[1] == "previous_month":
        start = _add_months(today.replace(day=1), -1)
        return DateRange(start, today.replace(day=1) - timedelta(days=1))
    qs = _quarter_start(today)
    return DateRange(_add_months(qs, -3), qs - timedelta(days=1))


def baseline_window(named: DateRange, anchor: date) -> DateRange:
    """A new goal's baseline: the window as long as the named period, ending on ``anchor``
    (the goal's start, or the last day with data when that is earlier).

    Current values are measured over the same window ending today, so a goal starts at
    progress 0 by construction; a baseline over an earlier period (the last complete quarter
    while "current" is the 92 days up to today) would count what already happened, or the
    overlap of the two windows, as progress. The named period (previous_quarter, last_90d,
    2026-Q3) therefore sets the window's length only.
    """
    return trailing(anchor, named.days)
