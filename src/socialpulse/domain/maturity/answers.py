"""An answers file (YAML or JSON, already parsed): one level 1-5 per question, the questionnaire
version it was written for, and optionally the organisation's profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput
from .profile import Profile, check_profile
from .questionnaire import Questionnaire


def check_answer(questionnaire: Questionnaire, qid: str, value: Any, where: str) -> int:
    """One answer: a level 1-5 for a known question."""
    if qid not in questionnaire.question_ids:
        raise InvalidInput(f"{where}.{qid}: unknown question (see `socialpulse assess --template`)")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(f"{where}.{qid}: {value!r} is not a level; use 1 to 5")
    try:
        level = int(value)
    except ValueError:
        raise InvalidInput(f"{where}.{qid}: {value!r} is not a level; use 1 to 5") from None
    if not 1 <= level <= 5:
        raise InvalidInput(f"{where}.{qid}: {level} is out of range; use 1 to 5")
    return level


@dataclass(frozen=True)
class AnswersFile:
    answers: dict[str, int]
    profile: Profile | None
    version: int


def parse_answers(doc: Any, questionnaire: Questionnaire, source: str) -> AnswersFile:
    """Validate an answers document (YAML/JSON already parsed): every question, levels 1-5."""
    if not isinstance(doc, Mapping):
        raise InvalidInput(f"{source}: must be a mapping with 'answers' (see --template)")
    version = doc.get("version", questionnaire.version)
    if not isinstance(version, int) or version != questionnaire.version:
        raise InvalidInput(
            f"{source}: version: {version!r} does not match questionnaire version "
            f"{questionnaire.version}; write a new template with `socialpulse assess --template`"
        )
    raw = doc.get("answers")
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{source}: answers: missing or not a mapping of question id to level")
    answers: dict[str, int] = {}
    for qid, value in raw.items():
        if value is None:
            continue
        answers[str(qid)] = check_answer(questionnaire, str(qid), value, f"{source}: answers")
    missing = [q for q in questionnaire.question_ids if q not in answers]
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        shown = ", ".join(missing[:5]) + more
        raise InvalidInput(f"{source}: answers: missing answer for {shown}")
    profile = None
    org = doc.get("organisation")
    if org is not None:
        if not isinstance(org, Mapping):
            raise InvalidInput(f"{source}: organisation: must be a mapping")
        profile = check_profile(
            org.get("industry"), org.get("size_band"), org.get("region"),
            str(org.get("name") or ""), f"{source}: organisation",
        )
    return AnswersFile(answers=answers, profile=profile, version=questionnaire.version)
