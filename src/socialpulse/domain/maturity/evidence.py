"""Evidence: facts from the workspace's own data set beside the answers that claim them, so an
answer two levels above what the data supports is flagged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .questionnaire import Questionnaire
from .vocabulary import EVIDENCE_SOURCES, stage_name


@dataclass(frozen=True)
class Evidence:
    """A fact from the workspace's data: None when the data cannot say."""

    source: str
    value: float | None
    shown: str  # the value as people read it, e.g. "12.0%"
    detail: str = ""

    @property
    def description(self) -> str:
        return EVIDENCE_SOURCES[self.source][0]


@dataclass(frozen=True)
class Finding:
    question: str
    dimension: str
    level: int
    answer: str
    evidence: Evidence
    supported_level: int | None
    status: str  # "agrees", "overstated", "understated", "no data"
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question, "dimension": self.dimension, "level": self.level,
            "answer": self.answer, "source": self.evidence.source,
            "value": self.evidence.value, "shown": self.evidence.shown,
            "supported_level": self.supported_level, "status": self.status,
            "message": self.message,
        }


def check_evidence(
    questionnaire: Questionnaire, answers: Mapping[str, int], facts: Mapping[str, Evidence]
) -> list[Finding]:
    """Set each answer that has an evidence rule beside the data; flag disagreements.

    An answer is *overstated* when it is two or more levels above what the data supports
    ("you answered 'we reply to most comments'; the data shows 12% answered"), *understated*
    (only for rules that allow it) when two or more below.
    """
    out: list[Finding] = []
    for q in questionnaire.questions:
        if q.evidence is None or q.id not in answers:
            continue
        level = answers[q.id]
        fact = facts.get(q.evidence.source)
        if fact is None or fact.value is None:
            ev = fact or Evidence(q.evidence.source, None, "n/a")
            out.append(Finding(q.id, q.dimension, level, q.anchor(level), ev, None, "no data",
                               f"the data held cannot show {ev.description}"))
            continue
        supported = q.evidence.supported_level(fact.value)
        answer = q.anchor(level)
        if level - supported >= 2:
            status = "overstated"
            message = (f"you answered '{answer}'; the data shows {fact.shown} "
                       f"{fact.description}, which supports level {supported} "
                       f"({stage_name(supported)})")
        elif q.evidence.understate and supported - level >= 2:
            status = "understated"
            message = (f"you answered '{answer}'; the data shows {fact.shown} "
                       f"{fact.description}, which supports level {supported} - you may be "
                       "doing better than you think")
        else:
            status = "agrees"
            message = f"the data ({fact.shown} {fact.description}) is consistent with the answer"
        out.append(Finding(q.id, q.dimension, level, answer, fact, supported, status, message))
    return out
