"""What a user asks for when setting a goal: every field optional until the goal is prepared
(a template fills the gaps), with its JSON fields typed on the way in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import InvalidInput
from .fields import check_goal_fields


@dataclass
class GoalSpec:
    """What a user asks for; every field optional until validated (templates fill gaps)."""

    metric: str | None = None
    variant: str | None = None
    goal_type: str | None = None
    objective: str | None = None
    baseline_period: str | None = None
    target_value: float | None = None
    target_change_pct: float | None = None
    deadline: str | date | None = None
    networks: Sequence[str] = ()
    accounts: Sequence[str | int] = ()
    campaign: str | None = None
    owner: str = ""
    title: str | None = None
    template: str | None = None
    milestones: Sequence[Mapping[str, Any]] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "goal") -> GoalSpec:
        """Build from JSON/keyword data, naming unknown fields."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(f"{where}: unknown field {unknown[0]!r}; fields are "
                               f"{', '.join(sorted(known))}")
        check_goal_fields(data, where)
        spec = cls(**{k: v for k, v in data.items() if v is not None})
        for key in ("target_value", "target_change_pct"):
            v = getattr(spec, key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                raise InvalidInput(f"{where}: {key} must be a number, got {v!r}")
        for key in ("networks", "accounts", "milestones"):
            v = getattr(spec, key)
            if isinstance(v, str) and key != "milestones":
                setattr(spec, key, [p for p in v.split(",") if p.strip()])
            elif not isinstance(v, list | tuple):
                raise InvalidInput(f"{where}: {key} must be a list")
        return spec
