"""Scores: per dimension, overall, the mean stage and the weakest link, and the change since a
previous assessment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput
from .questionnaire import Questionnaire
from .vocabulary import level_score, stage_for, stage_name


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    name: str
    score: float
    stage: int
    answered: int
    questions: int

    @property
    def stage_name(self) -> str:
        return stage_name(self.stage)


@dataclass(frozen=True)
class Scores:
    """Per-dimension scores and the overall stage, as the mean and as the weakest link."""

    dimensions: tuple[DimensionScore, ...]
    overall_score: float
    mean_stage: int
    weakest_stage: int
    weakest: tuple[str, ...]  # dimension ids at the weakest stage

    def by_dimension(self) -> dict[str, float]:
        return {d.dimension: d.score for d in self.dimensions}

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall_score": round(self.overall_score, 1),
            "mean_stage": self.mean_stage,
            "mean_stage_name": stage_name(self.mean_stage),
            "weakest_stage": self.weakest_stage,
            "weakest_stage_name": stage_name(self.weakest_stage),
            "weakest_dimensions": list(self.weakest),
            "dimensions": [
                {"dimension": d.dimension, "name": d.name, "score": round(d.score, 1),
                 "stage": d.stage, "stage_name": d.stage_name}
                for d in self.dimensions
            ],
        }


def score_answers(questionnaire: Questionnaire, answers: Mapping[str, int]) -> Scores:
    """Score complete answers: a dimension's score is the mean of its answers' level scores.

    The overall score is the mean of the dimension scores (each dimension weighs the same,
    however many questions it has); the mean stage is that score's stage; the weakest link is
    the lowest dimension stage - an organisation is as mature as its weakest dimension.
    """
    dims: list[DimensionScore] = []
    for d in questionnaire.dimensions:
        qs = questionnaire.questions_of(d.id)
        levels = [answers[q.id] for q in qs if q.id in answers]
        if len(levels) != len(qs):
            lacking = [q.id for q in qs if q.id not in answers]
            raise InvalidInput(f"answers: missing answer for {', '.join(lacking)}")
        score = sum(level_score(v) for v in levels) / len(levels)
        dims.append(DimensionScore(d.id, d.name, score, stage_for(score), len(levels), len(qs)))
    overall = sum(d.score for d in dims) / len(dims)
    weakest_stage = min(d.stage for d in dims)
    return Scores(
        dimensions=tuple(dims),
        overall_score=overall,
        mean_stage=stage_for(overall),
        weakest_stage=weakest_stage,
        weakest=tuple(d.dimension for d in dims if d.stage == weakest_stage),
    )


@dataclass(frozen=True)
class Change:
    dimension: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def progress(before: Mapping[str, float], after: Mapping[str, float]) -> list[Change]:
    """Change per dimension since a previous assessment (dimension ids are stable across
    questionnaire versions, so scores of different versions stay comparable)."""
    return [Change(d, before[d], after[d]) for d in after if d in before]
