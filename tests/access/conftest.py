"""Fixtures of the access tests: homes on SQLite and on PostgreSQL (a database of their own on
the session's server, so users and workspaces of one test never meet another's), and users."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from socialpulse.adapters.store import Store
from socialpulse.adapters.store.identity_tables import UserRow
from socialpulse.bootstrap import App, open_home
from socialpulse.domain.identity import SignedInUser
from socialpulse.settings import Settings

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def fresh_pg_database(server_url: str) -> str:
    """A new, empty database on the test PostgreSQL server; its URL."""
    base, _, _ = server_url.rpartition("/")
    name = f"access_{uuid.uuid4().hex[:12]}"
    admin = Store(f"{base}/postgres")
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return f"{base}/{name}"


def database_url(request: pytest.FixtureRequest, backend: str) -> str | None:
    """None (the home's SQLite file) or a fresh PostgreSQL database."""
    if backend != "postgresql":
        return None
    return fresh_pg_database(request.getfixturevalue("pg_url"))


@pytest.fixture(params=BACKENDS)
def access_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    """An empty home on SQLite or PostgreSQL."""
    url = database_url(request, request.param)
    app = open_home(Settings(home=tmp_path / "home", database_url=url), create=True)
    yield app
    app.store.dispose()


def add_user(app: App, login: str, *, site_admin: bool = False,
             disabled: bool = False) -> SignedInUser:
    """A user row as `socialpulse users add` leaves it (no password: these tests sign in
    through sessions and tokens the services build, not through the sign-in form)."""
    with app.store.session() as s:
        row = UserRow(login=login, name=login.title(), email=None, password_hash=None,
                      disabled=disabled, site_admin=site_admin, created_at=datetime.now(UTC))
        s.add(row)
        s.flush()
        return SignedInUser(row.id, row.login, row.name, row.site_admin)
