"""Sizes stay readable (issue 12): no module under src/socialpulse over 500 lines, no function
over 60 lines. Every offender is reported with file:line and its size."""

from __future__ import annotations

import ast
from pathlib import Path

import socialpulse

SRC = Path(socialpulse.__file__).parent
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
#: Alembic migration scripts are history: a revision, once released, is never rewritten (a
#: database migrated by it must stay at the same schema), so their sizes are not held to this.
EXEMPT = ("adapters/store/migrations/versions/",)


def oversized(root: Path, exempt: tuple[str, ...] = ()) -> list[str]:
    """``file:line name N lines`` for every module and function over the limits under root."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if any(rel.startswith(prefix) for prefix in exempt):
            continue
        text = path.read_text(encoding="utf-8")
        n = len(text.splitlines())
        if n > MAX_MODULE_LINES:
            out.append(f"{rel}:1 module {n} lines (max {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    out.append(f"{rel}:{node.lineno} function {node.name} {size} lines "
                               f"(max {MAX_FUNCTION_LINES})")
    return out


def test_no_module_or_function_is_too_long() -> None:
    offenders = oversized(SRC, EXEMPT)
    assert not offenders, "split these (issue 12):\n" + "\n".join(offenders)


def test_the_exemption_names_existing_migrations() -> None:
    for prefix in EXEMPT:
        assert list((SRC / prefix).glob("*.py")), f"{prefix}: exempt but holds no module"


def test_the_check_catches_a_long_function_and_a_long_module(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long_function.py").write_text(f"def too_long() -> None:\n{body}\n")
    fits = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES - 1))
    (tmp_path / "fits.py").write_text(f"def just_fits() -> None:\n{fits}\n")
    (tmp_path / "long_module.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "history.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))

    found = oversized(tmp_path, exempt=("old/",))

    assert found == [
        f"long_function.py:1 function too_long {MAX_FUNCTION_LINES + 1} lines "
        f"(max {MAX_FUNCTION_LINES})",
        f"long_module.py:1 module {MAX_MODULE_LINES + 1} lines (max {MAX_MODULE_LINES})",
    ]
