"""What the maturity tables hold, as plain values: audit runs and their baselines, assessments
(drafts and completed, with the scores at completion) and imported benchmark packs.

They live in the domain so that services read them through the repository port without
importing the store, and so that old assessments can be re-scored by a pure rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .packs import Pack
from .questionnaire import Questionnaire
from .scoring import DimensionScore, Scores, score_answers


@dataclass(frozen=True)
class AuditRun:
    id: int
    workspace_id: int
    period_start: date
    period_end: date
    created_at: datetime
    report: dict[str, Any]


@dataclass(frozen=True)
class Baseline:
    """A baseline value measured by an audit run (what goals start from)."""

    run_id: int
    account_id: int | None  # None: the whole workspace (own accounts)
    metric: str
    variant: str
    period_start: date
    period_end: date
    value: float
    how: str
    measured_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "account_id": self.account_id, "metric": self.metric,
            "variant": self.variant, "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(), "value": self.value, "how": self.how,
            "measured_at": self.measured_at.isoformat(),
        }


@dataclass(frozen=True)
class Assessment:
    id: int
    workspace_id: int
    questionnaire_version: int
    status: str
    source: str
    answers: dict[str, int]
    scores: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class StoredPack:
    id: int
    pack: Pack
    imported_at: datetime


def stored_scores(scores: Scores) -> dict[str, Any]:
    """The scores kept with a completed assessment: what `Scores.as_dict` shows, plus the
    unrounded-to-2 score per dimension, so the assessment stays comparable after the
    questionnaire changes."""
    d = scores.as_dict()
    d["by_dimension"] = {k: round(v, 2) for k, v in scores.by_dimension().items()}
    return d


def scores_of(questionnaire: Questionnaire, a: Assessment) -> Scores:
    """Scores of a stored assessment: recomputed for this version, else as stored."""
    if a.questionnaire_version == questionnaire.version:
        return score_answers(questionnaire, a.answers)
    stored = a.scores or {}
    dims = tuple(
        DimensionScore(d["dimension"], d["name"], float(d["score"]), int(d["stage"]), 0, 0)
        for d in stored.get("dimensions", [])
    )
    return Scores(dims, float(stored.get("overall_score", 0)),
                  int(stored.get("mean_stage", 1)), int(stored.get("weakest_stage", 1)),
                  tuple(stored.get("weakest_dimensions", [])))
