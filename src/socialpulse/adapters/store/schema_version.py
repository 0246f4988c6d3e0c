"""Is the app database's schema current? Answered without importing Alembic.

`Store.migrate()` runs on every `socialpulse` command and every server start. Alembic (with
Mako and its DDL modules) costs about 0.7 s to import, while the answer is nearly always "yes,
current": the database's ``alembic_version`` rows equal the heads of the migration scripts.
So the heads are read from the scripts' text (``revision = "..."``, ``down_revision = ...``:
the two assignments Alembic itself requires in every script) and compared with one SELECT; only
when they differ (a new database, a newer release, a database from a newer release) does
`Store.migrate()` import Alembic and let it decide. `tests/core/test_cli_start.py` checks that
these heads are Alembic's own and that a database behind them is still migrated.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

VERSIONS = Path(__file__).parent / "migrations" / "versions"

_ASSIGN = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


@cache
def head_revisions(versions: Path = VERSIONS) -> frozenset[str]:
    """The revisions no other script revises (what ``alembic upgrade heads`` reaches).

    A merge script's ``down_revision`` is a tuple: every quoted id on its line counts.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in sorted(versions.glob("*.py")):
        for name, value in _ASSIGN.findall(script.read_text(encoding="utf-8")):
            ids = _QUOTED.findall(value)
            if name == "revision":
                revisions.update(ids)
            else:
                revised.update(ids)
    return frozenset(revisions - revised)


def stored_revisions(engine: Engine) -> frozenset[str] | None:
    """The database's ``alembic_version`` rows; None when it has no such table (new)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return frozenset(str(r) for r in rows)
    except DBAPIError:  # no table yet (SQLite: OperationalError, PostgreSQL: ProgrammingError)
        return None


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at exactly the scripts' heads: nothing for Alembic to do."""
    return stored_revisions(engine) == head_revisions()
