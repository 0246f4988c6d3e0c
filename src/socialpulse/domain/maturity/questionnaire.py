"""The questionnaire as data: dimensions, questions with five anchored answers, and the
evidence rules that set an answer beside the workspace's data; validated from
``catalogue/maturity.yaml`` with errors naming the file and the entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CatalogueError, InvalidInput
from .vocabulary import EVIDENCE_SOURCES


@dataclass(frozen=True)
class EvidenceRule:
    """How a fact from the data supports an answer.

    ``min_for_level[k]`` is the smallest value of the source that makes level ``k`` plausible;
    the supported level is the highest ``k`` whose minimum is met (level 1 is always supported).
    An answer more than one level above the supported level is flagged as overstated; with
    ``understate`` set, an answer more than one level below is flagged too.
    """

    source: str
    min_for_level: Mapping[int, float]
    understate: bool = False

    def supported_level(self, value: float) -> int:
        level = 1
        for k in range(2, 6):
            threshold = self.min_for_level.get(k)
            if threshold is not None and value >= threshold:
                level = k
        return level


@dataclass(frozen=True)
class Question:
    id: str
    dimension: str
    text: str
    seed: str
    anchors: tuple[str, ...]  # five texts, level 1..5
    evidence: EvidenceRule | None = None

    def anchor(self, level: int) -> str:
        return self.anchors[level - 1]


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    description: str
    seed: str


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: int
    title: str
    dimensions: tuple[Dimension, ...]
    questions: tuple[Question, ...]

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise InvalidInput(f"dimension: unknown dimension {dim_id!r}")

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise InvalidInput(f"question: unknown question {qid!r}")

    def questions_of(self, dim_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.dimension == dim_id)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)


def required(entry: Mapping[str, Any], key: str, where: str) -> Any:
    """``entry[key]``, or a `CatalogueError` naming the file, the entry and the missing field."""
    if not isinstance(entry, Mapping):
        raise CatalogueError(f"{where}: must be a mapping")
    value = entry.get(key)
    if value is None or value == "":
        raise CatalogueError(f"{where}: missing required field {key!r}")
    return value


def _evidence(raw: Any, where: str) -> EvidenceRule | None:
    if raw is None:
        return None
    source = required(raw, "source", f"{where} evidence")
    if source not in EVIDENCE_SOURCES:
        raise CatalogueError(
            f"{where} evidence: unknown source {source!r}; use one of {', '.join(EVIDENCE_SOURCES)}"
        )
    mins = required(raw, "min_for_level", f"{where} evidence")
    if not isinstance(mins, Mapping) or not mins:
        raise CatalogueError(f"{where} evidence: min_for_level must map levels 2-5 to numbers")
    parsed: dict[int, float] = {}
    for k, v in mins.items():
        if not isinstance(k, int) or not 2 <= k <= 5 or isinstance(v, bool) \
                or not isinstance(v, int | float):
            raise CatalogueError(
                f"{where} evidence: min_for_level entry {k!r}: {v!r} must be level 2-5: number"
            )
        parsed[k] = float(v)
    levels = sorted(parsed)
    if any(parsed[a] > parsed[b] for a, b in zip(levels, levels[1:], strict=False)):
        raise CatalogueError(f"{where} evidence: min_for_level must not decrease with the level")
    return EvidenceRule(source, parsed, bool(raw.get("understate", False)))


def _question(qid: str, q: Any, dim_ids: set[str], where: str) -> Question:
    """One question entry: a known dimension, five concrete anchors, an optional evidence rule."""
    dim = str(required(q, "dimension", where))
    if dim not in dim_ids:
        raise CatalogueError(f"{where}: unknown dimension {dim!r}")
    anchors = required(q, "anchors", where)
    if not isinstance(anchors, Sequence) or isinstance(anchors, str) or len(anchors) != 5:
        raise CatalogueError(f"{where}: anchors must list exactly 5 answers (levels 1-5)")
    for i, a in enumerate(anchors, start=1):
        if not isinstance(a, str) or len(a.strip()) < 10:
            raise CatalogueError(f"{where}: anchor {i} must say concretely what is true")
    return Question(
        id=qid,
        dimension=dim,
        text=str(required(q, "text", where)),
        seed=str(required(q, "seed", where)),
        anchors=tuple(a.strip() for a in anchors),
        evidence=_evidence(q.get("evidence"), where),
    )


def load_questionnaire(doc: Any, source: str = "maturity.yaml") -> Questionnaire:
    """Validate the questionnaire document; every error names the file and the entry."""
    if not isinstance(doc, Mapping):
        raise CatalogueError(f"{source}: must be a mapping with id, version, dimensions, questions")
    qid_ = str(required(doc, "id", source))
    version = required(doc, "version", source)
    if not isinstance(version, int) or version < 1:
        raise CatalogueError(f"{source}: version must be a positive integer")
    raw_dims = required(doc, "dimensions", source)
    raw_qs = required(doc, "questions", source)
    if not isinstance(raw_dims, Mapping) or not isinstance(raw_qs, Mapping):
        raise CatalogueError(f"{source}: dimensions and questions must be mappings by id")
    dims = tuple(
        Dimension(
            id=str(did),
            name=str(required(d, "name", f"{source}: dimension {did}")),
            description=str(required(d, "description", f"{source}: dimension {did}")),
            seed=str(required(d, "seed", f"{source}: dimension {did}")),
        )
        for did, d in raw_dims.items()
    )
    if len(dims) != 8:
        raise CatalogueError(f"{source}: needs the 8 dimensions of DOMAIN.md, found {len(dims)}")
    dim_ids = {d.id for d in dims}
    questions = [_question(str(qid), raw, dim_ids, f"{source}: question {qid}")
                 for qid, raw in raw_qs.items()]
    if not 30 <= len(questions) <= 45:
        raise CatalogueError(f"{source}: needs 30 to 45 questions, found {len(questions)}")
    for d in dims:
        if not any(q.dimension == d.id for q in questions):
            raise CatalogueError(f"{source}: dimension {d.id} has no question")
    return Questionnaire(
        id=qid_,
        version=version,
        title=str(doc.get("title", qid_)),
        dimensions=dims,
        questions=tuple(questions),
    )
