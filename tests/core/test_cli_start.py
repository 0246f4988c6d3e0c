"""A `socialpulse` command starts light: it imports only what it uses, and it skips Alembic
when the database is already at the migration scripts' heads, yet still migrates one that is
behind (issue 13). No timings here: what is asserted is which modules a fresh interpreter
loaded, and which schema revisions a database holds (bench/bench_cli.py has the seconds).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from socialpulse.adapters.store import MIGRATIONS
from socialpulse.adapters.store.schema_version import head_revisions
from socialpulse.bootstrap import MARKER_TEXT, open_home
from socialpulse.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
#: Libraries that cost tenths of a second to import; `--help` needs none of them.
HEAVY = ("ibis", "alembic", "sqlalchemy", "duckdb", "pandas", "pyarrow", "weasyprint",
         "pyspark", "sqlglot")

# runs the Typer app in this fresh interpreter, then prints which HEAVY modules it loaded
PROBE = """
import contextlib, io, json, sys
from socialpulse.interfaces.cli.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "stdout": out.getvalue(),
                  "loaded": sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)}))
"""


def _run_fresh(argv: list[str], output: bool = False) -> dict[str, Any]:
    """Run the CLI in a new interpreter; its exit code and the HEAVY modules it imported
    (and, with ``output``, what it printed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALPULSE_")}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if not output:
        del result["stdout"]
    return result


@pytest.mark.parametrize("argv", [["--help"], ["metrics", "list"], ["metrics", "--help"]])
def test_help_and_catalogue_commands_import_no_heavy_library(argv: list[str]) -> None:
    assert _run_fresh(argv) == {"code": 0, "loaded": []}


def _alembic(db_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    return cfg


def test_head_revisions_read_from_the_scripts_are_alembics_own() -> None:
    heads = ScriptDirectory.from_config(_alembic("sqlite://")).get_heads()
    assert head_revisions() == frozenset(heads) and heads


def test_head_revisions_follow_a_merge(tmp_path: Path) -> None:
    """A merge script revises two heads at once (a tuple): neither is a head any more."""
    scripts = {"a.py": 'revision = "0001"\ndown_revision = None\n',
               "b.py": "revision = '0002_x'\ndown_revision = '0001'\n",
               "c.py": 'revision: str = "0003_y"\ndown_revision = "0001"\n',
               "d.py": 'revision = "0004_merge"\ndown_revision = ("0002_x", "0003_y")\n',
               "e.py": 'revision = "0005_z"\ndown_revision = "0001"\n'}
    for name, text in scripts.items():
        (tmp_path / name).write_text(f'"""revision = "not this"."""\n{text}')
    assert head_revisions(tmp_path) == {"0004_merge", "0005_z"}


def _revisions_and_tables(db: Path) -> tuple[set[str], set[str]]:
    with sqlite3.connect(db) as conn:
        revs = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return revs, tables


def test_a_current_database_is_opened_without_alembic(tmp_path: Path) -> None:
    home = tmp_path / "home"
    open_home(Settings(home=home), create=True).store.dispose()
    out = _run_fresh(["--home", str(home), "workspaces", "list"])
    assert out["code"] == 0 and "sqlalchemy" in out["loaded"]  # it did open the database
    assert "alembic" not in out["loaded"]


def test_a_database_behind_the_code_is_migrated_by_the_next_command(tmp_path: Path) -> None:
    """A home made by a release that lacked the newest migration: every other head applied,
    the newest not. The next command (the fast path sees the difference) brings it up."""
    newest = max(head_revisions())
    current = tmp_path / "current"
    open_home(Settings(home=current), create=True).store.dispose()
    want_revs, want_tables = _revisions_and_tables(current / "socialpulse.db")

    s = Settings(home=tmp_path / "old")
    s.home.mkdir()
    s.lake_dir.mkdir(parents=True)
    s.marker.write_text(MARKER_TEXT, encoding="utf-8")
    cfg = _alembic(s.db_url)
    for head in sorted(head_revisions() - {newest}):
        command.upgrade(cfg, head)
    revs, tables = _revisions_and_tables(s.home / "socialpulse.db")
    assert newest not in revs and tables < want_tables  # behind, as a previous release left it

    out = _run_fresh(["--home", str(s.home), "workspaces", "list"])
    assert out["code"] == 0 and "alembic" in out["loaded"]  # not the fast path
    assert _revisions_and_tables(s.home / "socialpulse.db") == (want_revs, want_tables)


def test_a_repeated_metric_question_needs_duckdb_but_not_ibis(demo_home_template: Path,
                                                               tmp_path: Path) -> None:
    """The first `metrics compute` compiles its query with Ibis and keeps the statements in
    the home (adapters/sql_cache.py); asking again replays them on DuckDB alone, with the same
    output, and imports none of Ibis, sqlglot, pandas or PyArrow."""
    home = tmp_path / "home"
    shutil.copytree(demo_home_template, home)
    argv = ["--home", str(home), "metrics", "compute", "engagement_rate", "--by", "network"]
    first = _run_fresh(argv, output=True)
    assert first["code"] == 0 and {"ibis", "sqlglot"} <= set(first["loaded"])
    again = _run_fresh(argv, output=True)
    assert again["code"] == 0 and "duckdb" in again["loaded"]
    assert not {"ibis", "sqlglot", "pandas", "pyarrow", "alembic"} & set(again["loaded"])
    assert again["stdout"] == first["stdout"] and "engagement_rate" in again["stdout"]
