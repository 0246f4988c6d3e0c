"""Identity fixtures: a real app database (SQLite, or a fresh PostgreSQL database per test),
a clock the tests move, and argon2id with cheap parameters (the same code, faster)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from socialpulse.adapters.passwords import Argon2Passwords
from socialpulse.adapters.store import Store
from socialpulse.adapters.store.identity_repo import IdentityRepo
from socialpulse.services.identity import IdentityService
from socialpulse.services.identity_ports import MailSender

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class MovingClock:
    """The service's clock: it stands still until a test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def cheap_hasher() -> Argon2Passwords:
    return Argon2Passwords(time_cost=1, memory_cost=1024, parallelism=1)


def fresh_pg_database(pg_url: str) -> str:
    """A new, empty database on the test server (the shared one may hold other tests' users)."""
    name = f"identity_{secrets.token_hex(6)}"
    server, _, _ = pg_url.rpartition("/")
    admin = Store(f"{server}/postgres")
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated app database: SQLite in tmp_path, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        url = fresh_pg_database(request.getfixturevalue("pg_url"))
    s = Store(url)
    s.migrate()
    yield s
    s.dispose()


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


def service(store: Store, clock: MovingClock, mailer: MailSender | None = None,
            hasher: Argon2Passwords | None = None) -> IdentityService:
    return IdentityService(IdentityRepo(store), hasher or cheap_hasher(), clock,
                           lambda: mailer)


@pytest.fixture
def identity(store: Store, clock: MovingClock) -> IdentityService:
    return service(store, clock)
