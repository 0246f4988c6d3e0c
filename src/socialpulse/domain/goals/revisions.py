"""What a goal's revision may change and how the change is written into its check-in log."""

from __future__ import annotations

import math
from collections.abc import Callable

from .model import Goal

REVISABLE = ("title", "objective", "owner", "target_value", "target_change_pct", "deadline",
             "milestones")


def revision_summary(old: Goal, new: Goal, fmt: Callable[[float], str]) -> list[str]:
    """What a revision changed, in words, for the goal's check-in log.

    A goal whose target or deadline moves mid-way must say so where progress is read, or a
    goal "met" after lowering the bar looks like a success."""
    out: list[str] = []
    if not math.isclose(old.target_value, new.target_value, rel_tol=1e-12, abs_tol=1e-12):
        out.append(f"target {fmt(old.target_value)} -> {fmt(new.target_value)}")
    if old.deadline != new.deadline:
        out.append(f"deadline {old.deadline.isoformat()} -> {new.deadline.isoformat()}")
    if old.milestones != new.milestones:
        out.append(f"milestones {len(old.milestones)} -> {len(new.milestones)}")
    for name in ("title", "objective", "owner"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append(f"{name} {a!r} -> {b!r}" if len(a) + len(b) < 80 else f"{name} changed")
    return out
