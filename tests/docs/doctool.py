"""Read the shell sessions the README and docs show, and compare them with real runs.

Every fenced block of README.md and docs/*.md that holds lines starting with ``$ `` is a shell
session: a ``$`` line is a command (a trailing ``\\`` continues it on the next line), the lines
after it are what it prints. The docs test (tests/docs/test_docs.py) runs each command as a user
would and compares. What a doc may do to stay short, and still be checked:

- a line ``...`` stands for any number of lines (none included);
- ``...`` inside a line stands for any text (``status  ON TRACK: ...``);
- a comment after two or more spaces, ``   # like this``, is for the reader and not compared;
- a command with no output lines directly followed by a ```` ```json ```` block: the block is the
  command's answer, shortened by leaving out keys and the tail of lists; every value shown must be
  the real one (the block must be valid JSON).

``DOCS_UPDATE=1`` makes the test rewrite the outputs it found different from real runs, keeping
a doc's shortening where it can (same number of lines, a final ``...``; the same keys and list
lengths in JSON). Review the diff: rewritten lines lose their in-line ``...`` and comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ELLIPSIS = "..."
_COMMENT = re.compile(r"(?<=\S)\s{2,}#(\s.*)?$")


@dataclass
class JsonBlock:
    """A ```json block answering the command above it: lines ``start``..``end`` (exclusive)."""

    start: int
    end: int
    text: str


@dataclass
class Command:
    """One ``$`` command of a doc, where it stands and what the doc says it prints."""

    doc: Path
    line: int  # 0-based index of the ``$`` line
    text: str  # the command, continuation lines joined, comment removed
    out_start: int  # 0-based index of the first output line
    out_end: int  # exclusive
    expected: list[str] = field(default_factory=list)
    json: JsonBlock | None = None

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line + 1}"


def strip_comment(line: str) -> str:
    """``cmd   # note`` -> ``cmd``; a ``#`` not after two spaces (``'#065f46'``), or one that
    starts a line (a YAML comment the command prints), stays."""
    return _COMMENT.sub("", line).rstrip()


def parse(doc: Path) -> list[Command]:
    """The commands of every fenced block of ``doc`` that holds a ``$`` line."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    commands: list[Command] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("```"):
            i += 1
            continue
        start = i + 1
        end = start
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        block = lines[start:end]
        if any(b.startswith("$ ") for b in block):
            commands.extend(_block_commands(doc, lines, start, end))
        i = end + 1
    _attach_json(lines, commands, doc)
    return commands


def _block_commands(doc: Path, lines: list[str], start: int, end: int) -> list[Command]:
    found: list[Command] = []
    j = start
    current: Command | None = None
    while j < end:
        line = lines[j]
        if line.startswith("$ "):
            first = j
            text = line[2:]
            while text.rstrip().endswith("\\") and j + 1 < end:
                j += 1
                text = text.rstrip()[:-1].rstrip() + " " + lines[j].strip()
            current = Command(doc, first, strip_comment(text), j + 1, j + 1)
            found.append(current)
        elif current is not None:
            current.expected.append(strip_comment(line))
            current.out_end = j + 1
        j += 1
    for cmd in found:  # blank lines between commands are layout, not output
        while cmd.expected and not cmd.expected[-1].strip():
            cmd.expected.pop()
            cmd.out_end -= 1
    return found


def _attach_json(lines: list[str], commands: list[Command], doc: Path) -> None:
    """A command with no output whose block is followed by a ```json block gets that block."""
    for cmd in commands:
        if cmd.expected:
            continue
        k = cmd.out_end
        while k < len(lines) and not lines[k].startswith("```"):
            if lines[k].strip():
                break
            k += 1
        if k >= len(lines) or lines[k].strip() != "```":
            continue
        k += 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k < len(lines) and lines[k].strip() == "```json":
            end = k + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            cmd.json = JsonBlock(k + 1, end, "\n".join(lines[k + 1:end]))


def _line_pattern(expected: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in expected.rstrip().split(ELLIPSIS)]
    return re.compile(".*".join(parts))


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` lines fit ``expected`` with the doc's ``...`` shortenings."""
    exp = [e.rstrip() for e in expected]
    act = [a.rstrip() for a in actual]
    memo: dict[tuple[int, int], bool] = {}

    def fit(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(exp):
            ok = j == len(act)
        elif exp[i].strip() == ELLIPSIS:
            ok = any(fit(i + 1, k) for k in range(j, len(act) + 1))
        else:
            ok = j < len(act) and _line_pattern(exp[i]).fullmatch(act[j]) is not None \
                and fit(i + 1, j + 1)
        memo[(i, j)] = ok
        return ok

    return fit(0, 0)


def is_subset(shown: Any, real: Any) -> bool:
    """The doc's JSON shows only real values: keys left out and list tails cut are allowed."""
    if isinstance(shown, dict):
        return isinstance(real, dict) and all(
            k in real and is_subset(v, real[k]) for k, v in shown.items()
        )
    if isinstance(shown, list):
        return isinstance(real, list) and len(shown) <= len(real) and all(
            is_subset(s, r) for s, r in zip(shown, real, strict=False)
        )
    if isinstance(shown, float) or isinstance(real, float):
        return isinstance(real, int | float) and not isinstance(real, bool) \
            and float(shown) == float(real)
    return bool(shown == real)


def shortened(actual: list[str], expected: list[str]) -> list[str]:
    """The real output cut the way the doc cut it (for ``DOCS_UPDATE=1``)."""
    if not any(ELLIPSIS in e for e in expected) or len(actual) <= len(expected):
        return actual
    keep = max(1, len([e for e in expected if e.strip() != ELLIPSIS]))
    return actual[:keep] + [ELLIPSIS] if len(actual) > keep else actual


def project(real: Any, shape: Any) -> Any:
    """The real answer with the keys and list lengths the doc's JSON shows."""
    if isinstance(shape, dict) and isinstance(real, dict):
        return {k: project(real[k], v) for k, v in shape.items() if k in real}
    if isinstance(shape, list) and isinstance(real, list):
        n = max(len(shape), 1)
        return [project(r, shape[min(i, len(shape) - 1)] if shape else r)
                for i, r in enumerate(real[:n])]
    return real


def dump(value: Any, indent: int = 0, width: int = 100) -> str:
    """Compact, readable JSON: a value that fits the line stays on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {dump(v, indent + 2, width)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [f"{pad}{dump(v, indent + 2, width)}" for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def docs() -> list[Path]:
    """README.md and every page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def rewrite(doc: Path, replacements: list[tuple[int, int, list[str]]]) -> None:
    """Replace line ranges of ``doc`` (applied bottom-up so indexes stay valid)."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    for start, end, new in sorted(replacements, key=lambda r: r[0], reverse=True):
        lines[start:end] = new
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
