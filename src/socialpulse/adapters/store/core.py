"""The Store's core: the engine (SQLite WAL or PostgreSQL), sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from socialpulse.domain.errors import InvalidInput

from .schema_version import schema_is_current

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _now() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL and a busy timeout so the CLI and server can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


class StoreCore:
    """The engine and its sessions; the repositories (`Store`) build on it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as s:
            yield s

    def migrate(self) -> None:
        """Bring the schema to the latest revision (idempotent, safe on every start).

        Features add their tables as separate migration branches off 0001 (goals, listening,
        maturity...), so we upgrade every head. When the database is already at those heads
        (nearly every start) one SELECT says so and Alembic is not even imported
        (`schema_version`: it costs about 0.7 s, most of a CLI command).
        """
        if schema_is_current(self.engine):
            return
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")

    def dispose(self) -> None:
        self.engine.dispose()


def check_database(url: str) -> None:
    """Fail with a clear message when the database cannot be reached."""
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise InvalidInput(f"database {url.split('@')[-1]}: cannot connect ({first})") from None
    finally:
        engine.dispose()
