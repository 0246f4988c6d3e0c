"""Recommendations: next actions for the weakest dimensions, each linked to a goal template
(``goal_type:metric``) checked against the goal catalogue at load."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CatalogueError
from .questionnaire import Questionnaire, required
from .scoring import Scores


@dataclass(frozen=True)
class Recommendation:
    id: str
    dimension: str
    title: str
    action: str
    seed: str
    goal_template: str
    max_stage: int = 5  # shown while the dimension is at or below this stage



def load_recommendations(
    doc: Any,
    questionnaire: Questionnaire,
    goal_metrics: Mapping[str, Iterable[str]],
    source: str = "maturity_recommendations.yaml",
) -> tuple[Recommendation, ...]:
    """Validate recommendations; each links to a goal template ``goal_type:metric``.

    ``goal_metrics`` maps each goal type to its metrics (goal_types.yaml), so a template id
    that names an unknown goal type or a metric the type does not track fails at load.
    """
    raw = doc.get("recommendations") if isinstance(doc, Mapping) else None
    if not isinstance(raw, Mapping) or not raw:
        raise CatalogueError(f"{source}: needs a top-level 'recommendations' mapping")
    dim_ids = {d.id for d in questionnaire.dimensions}
    out: list[Recommendation] = []
    for rid, r in raw.items():
        where = f"{source}: recommendation {rid}"
        dim = str(required(r, "dimension", where))
        if dim not in dim_ids:
            raise CatalogueError(f"{where}: unknown dimension {dim!r}")
        template = str(required(r, "goal_template", where))
        gtype, _, metric = template.partition(":")
        if gtype not in goal_metrics:
            raise CatalogueError(
                f"{where}: goal_template {template!r}: unknown goal type {gtype!r}"
            )
        if metric not in set(goal_metrics[gtype]):
            raise CatalogueError(
                f"{where}: goal_template {template!r}: goal type {gtype} does not track {metric!r}"
            )
        max_stage = r.get("max_stage", 5)
        if not isinstance(max_stage, int) or not 1 <= max_stage <= 5:
            raise CatalogueError(f"{where}: max_stage must be 1-5")
        out.append(
            Recommendation(
                id=str(rid),
                dimension=dim,
                title=str(required(r, "title", where)),
                action=str(required(r, "action", where)),
                seed=str(required(r, "seed", where)),
                goal_template=template,
                max_stage=max_stage,
            )
        )
    missing = dim_ids - {r.dimension for r in out}
    if missing:
        raise CatalogueError(f"{source}: no recommendation for {', '.join(sorted(missing))}")
    return tuple(out)


def recommend(
    scores: Scores, recommendations: Sequence[Recommendation], dimensions: int = 3, per: int = 2
) -> list[Recommendation]:
    """Next actions for the weakest dimensions (lowest score first), from the seeds' lists.

    A recommendation applies while its dimension is at or below its ``max_stage``; dimensions
    already at Transform get none.
    """
    ranked = sorted(scores.dimensions, key=lambda d: (d.score, d.dimension))
    out: list[Recommendation] = []
    for d in ranked:
        if d.stage >= 5:
            continue
        fits = [r for r in recommendations if r.dimension == d.dimension and d.stage <= r.max_stage]
        if not fits:
            continue
        out.extend(fits[:per])
        dimensions -= 1
        if dimensions == 0:
            break
    return out
