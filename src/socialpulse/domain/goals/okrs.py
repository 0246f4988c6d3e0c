"""OKRs: objectives with 3 to 5 key results, graded 0.0-1.0, coloured and judged against the
expectation of their kind (committed 1.0, aspirational 0.7).

The grade shown (one decimal) is the number colours and verdicts use, so the list, the detail
page, the CLI and the report never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ..errors import InvalidInput
from .status import Tone

OkrKind = Literal["committed", "aspirational"]
OKR_KINDS: tuple[OkrKind, ...] = ("committed", "aspirational")
MIN_KEY_RESULTS = 3
MAX_KEY_RESULTS = 5


def check_grade(grade: float, field_name: str = "grade") -> float:
    if not (isinstance(grade, int | float) and math.isfinite(grade) and 0.0 <= grade <= 1.0):
        raise InvalidInput(f"{field_name}: {grade!r} is not a grade from 0.0 to 1.0")
    return float(grade)


def grade_from_progress(p: float | None) -> float | None:
    """A metric key result's grade: its progress, clipped to 0.0-1.0; ``None`` (ungraded)
    while there is no measured progress (no data yet is not a failure)."""
    if p is None or not math.isfinite(p):
        return None
    return min(max(p, 0.0), 1.0)


def shown_grade(grade: float) -> float:
    """The grade as shown, to one decimal: colours and verdicts use this same number, so the
    list, the detail page, the CLI and the report never disagree."""
    return round(check_grade(grade) + 1e-9, 1)


def grade_colour(grade: float | None) -> Tone:
    """0.0-0.3 red, 0.4-0.6 yellow, 0.7-1.0 green (on the grade as shown); grey ungraded."""
    if grade is None:
        return "grey"
    g = shown_grade(grade)
    if g <= 0.3:
        return "red"
    if g <= 0.6:
        return "yellow"
    return "green"


def grade_text(grade: float | None) -> str:
    """``"0.6"``, or ``"ungraded"`` for a key result nobody has graded yet."""
    return "ungraded" if grade is None else f"{shown_grade(grade):.1f}"


@dataclass(frozen=True)
class ObjectiveGrade:
    """An objective's grade: the mean of its graded key results, with how many were graded."""

    grade: float | None
    graded: int
    total: int
    kind: OkrKind

    @property
    def text(self) -> str:
        return grade_text(self.grade)

    @property
    def colour(self) -> Tone:
        return grade_colour(self.grade)

    @property
    def coverage(self) -> str:
        return f"{self.graded} of {self.total} key results graded"

    @property
    def success(self) -> bool | None:
        """Committed OKRs are expected to reach 1.0; aspirational ones succeed at 0.7."""
        if self.grade is None:
            return None
        return shown_grade(self.grade) >= OKR_EXPECTED[self.kind]

    @property
    def verdict(self) -> str:
        expected = OKR_EXPECTED[self.kind]
        if self.grade is None:
            return f"{self.kind}: expected {expected:.1f}; no key result graded yet"
        word = "met" if self.success else "below"
        return (f"{self.kind}: expected {expected:.1f}, graded {self.text} ({self.coverage}) "
                f"- {word} expectation")

    def as_dict(self) -> dict[str, Any]:
        return {"grade": self.grade, "grade_text": self.text, "colour": self.colour,
                "graded": self.graded, "total": self.total, "coverage": self.coverage,
                "success": self.success, "verdict": self.verdict}


OKR_EXPECTED: dict[str, float] = {"committed": 1.0, "aspirational": 0.7}


def objective_grade(grades: Sequence[float | None], kind: OkrKind) -> ObjectiveGrade:
    """The one computation of an objective's grade: the mean of the graded key results only
    (an ungraded key result is unknown, not 0, and does not drag the grade down)."""
    if not grades:
        raise InvalidInput("an objective needs key results to be graded")
    graded = [x for x in grades if x is not None]
    mean = sum(graded) / len(graded) if graded else None
    return ObjectiveGrade(mean, len(graded), len(grades), kind)


def check_key_result_count(n: int) -> None:
    if not MIN_KEY_RESULTS <= n <= MAX_KEY_RESULTS:
        raise InvalidInput(
            f"key results: an objective needs {MIN_KEY_RESULTS} to {MAX_KEY_RESULTS} key "
            f"results, got {n}"
        )


@dataclass(frozen=True)
class KeyResult:
    id: int
    position: int
    kind: Literal["metric", "milestone"]
    title: str
    goal_id: int | None
    grades: tuple[tuple[date, float, str, str], ...] = ()  # (on, grade, comment, author)


@dataclass(frozen=True)
class Objective:
    id: int
    workspace_id: int
    title: str
    kind: OkrKind
    deadline: date
    owner: str
    key_results: tuple[KeyResult, ...]
    archived: bool = False
