"""The maturity questionnaire and the files people write for it: the questionnaire shipped
with the package, the blank answers template, and reading an answers (or pack) file in YAML or
JSON with errors that name the file and the line."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from socialpulse.catalogue import read_yaml
from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import InvalidInput, NotFound


def load_answers_document(path: Path) -> Any:
    """Read a YAML or JSON answers (or pack) file; errors name the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{path}: invalid YAML{where}") from None


@lru_cache(maxsize=1)
def questionnaire() -> mat.Questionnaire:
    """The questionnaire shipped with the package (validated once per process)."""
    return mat.load_questionnaire(read_yaml("maturity.yaml"), "maturity.yaml")


def template_text(q: mat.Questionnaire) -> str:
    """A blank answers file: every question with its five anchored answers as comments."""
    lines = [
        f"# {q.title}, questionnaire version {q.version}.",
        "# Answer each question with the level (1-5) whose description is most true today.",
        "# Levels follow the five stages: 1 Listen, 2 Participate, 3 Scale, 4 Integrate,",
        "# 5 Transform. Then run: socialpulse assess --answers THIS_FILE",
        f"questionnaire: {q.id}",
        f"version: {q.version}",
        "organisation:",
        f"  # industry: one of {', '.join(mat.INDUSTRIES)}",
        "  industry:",
        f"  # size_band: one of {', '.join(mat.SIZE_BANDS)}",
        "  size_band:",
        f"  # region: one of {', '.join(mat.REGIONS)}",
        "  region:",
        "answers:",
    ]
    for d in q.dimensions:
        lines.append(f"  # === {d.name} ===")
        for question in q.questions_of(d.id):
            lines.append(f"  # {question.text}  (source: {question.seed})")
            for i, a in enumerate(question.anchors, start=1):
                lines.append(f"  #   {i} ({mat.stage_name(i)}): {a}")
            lines.append(f"  {question.id}:")
    return "\n".join(lines) + "\n"
