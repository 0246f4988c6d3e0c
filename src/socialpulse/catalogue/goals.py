"""The goal catalogue (goal types and goal templates), loaded once from package data."""

from __future__ import annotations

from functools import lru_cache

from socialpulse.catalogue import metric_catalogue, read_yaml
from socialpulse.domain.goals import GoalCatalogue, load_goal_catalogue


@lru_cache(maxsize=1)
def goal_catalogue() -> GoalCatalogue:
    """Goal types and templates, validated against the metric catalogue (errors name the file
    and the entry)."""
    return load_goal_catalogue(
        read_yaml("goal_types.yaml"), read_yaml("goal_templates.yaml"), metric_catalogue()
    )
