"""Targets and progress: a target from a % change, progress from baseline to target, and the
progress a goal should have by a day (straight line or through its milestones).

Seed 004 (DOMAIN.md section 3). Pure arithmetic: ``today`` is always an argument.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from ..errors import InvalidInput
from .model import Milestone


def target_from_change(baseline: float, change_pct: float) -> float:
    """Target value for a % change on the baseline (``+20`` means 1.2 x baseline)."""
    if baseline == 0:
        raise InvalidInput(
            "target_change_pct: the baseline is 0, so a % change cannot set a target; "
            "give an absolute target_value instead"
        )
    return baseline + abs(baseline) * change_pct / 100.0


def check_target(baseline: float, target: float) -> None:
    """A target equal to the baseline asks for nothing (and makes progress undefined)."""
    if math.isclose(target, baseline, rel_tol=1e-12, abs_tol=1e-12):
        raise InvalidInput(
            f"target: {target:g} equals the baseline {baseline:g}; set a target above or "
            "below the baseline (target_value or a non-zero target_change_pct)"
        )


def progress(current: float, baseline: float, target: float) -> float:
    """(current - baseline) / (target - baseline): 0 at the baseline, 1 at the target.

    Works the same for "lower is better" goals (target below baseline). Not clipped: more than
    1 means beyond the target, below 0 means worse than the baseline.
    """
    check_target(baseline, target)
    return (current - baseline) / (target - baseline)


def expected_progress(
    start: date,
    deadline: date,
    today: date,
    baseline: float,
    target: float,
    milestones: Sequence[Milestone] = (),
) -> float:
    """Progress a goal should have by ``today``, in [0, 1].

    Straight line from 0 at ``start`` to 1 at ``deadline``, or through the milestones when
    there are any (each milestone's target is a point on the path).
    """
    points: list[tuple[date, float]] = [(start, 0.0)]
    for m in sorted(milestones, key=lambda m: m.due):
        if start < m.due < deadline:
            p = min(max(progress(m.target, baseline, target), 0.0), 1.0)
            points.append((m.due, max(p, points[-1][1])))
    points.append((deadline, 1.0))
    if today <= start:
        return 0.0
    if today >= deadline:
        return 1.0
    for (d0, p0), (d1, p1) in zip(points, points[1:], strict=False):
        if d0 <= today <= d1:
            span = (d1 - d0).days
            return p0 if span == 0 else p0 + (p1 - p0) * (today - d0).days / span
    return 1.0  # pragma: no cover - the points cover [start, deadline]


def relative_change(before: float, after: float) -> float | None:
    """(after - before) / |before|, or None when ``before`` is 0."""
    if before == 0:
        return None
    return (after - before) / abs(before)
