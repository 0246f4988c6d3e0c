"""The pure core stays pure: no I/O, clock, environment, web, database or CLI in domain/."""

from __future__ import annotations

import ast
from pathlib import Path

import socialpulse.domain

DOMAIN = Path(socialpulse.domain.__file__).parent

FORBIDDEN_MODULES = {
    "os",
    "io",
    "sys",
    "pathlib",
    "shutil",
    "socket",
    "subprocess",
    "tempfile",
    "glob",
    "sqlite3",
    "sqlalchemy",
    "alembic",
    "duckdb",
    "ibis",
    "pyarrow",
    "pandas",
    "pyspark",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "requests",
    "urllib",
    "typer",
    "click",
    "jinja2",
    "yaml",
    "json",
    "csv",
    "logging",
    "random",
    "time",
    "zoneinfo",
    "psycopg",
}
FORBIDDEN_CALLS = {"open", "input", "print", "eval", "exec"}
FORBIDDEN_ATTRS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("date", "today"),
    ("datetime", "today"),
    ("os", "environ"),
    ("os", "getenv"),
}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                    out.append(f"{path.name}:{node.lineno} imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                out.append(f"{path.name}:{node.lineno} imports from {node.module}")
            if node.module.startswith("socialpulse.") and not node.module.startswith(
                "socialpulse.domain"
            ):
                out.append(f"{path.name}:{node.lineno} imports outward ({node.module})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in FORBIDDEN_CALLS:
                out.append(f"{path.name}:{node.lineno} calls {node.func.id}()")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in FORBIDDEN_ATTRS
        ):
            out.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return out


def test_domain_is_pure() -> None:
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) >= 5
    problems = [v for f in files for v in _violations(f)]
    assert problems == []


def test_the_checker_catches_violations(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom datetime import datetime\nfrom socialpulse.adapters import lake\n"
        "x = datetime.now()\nopen('f')\n"
    )
    found = _violations(bad)
    assert len(found) == 4
