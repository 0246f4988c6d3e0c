"""schemathesis over the OpenAPI, every call with a real API token (``Authorization: Bearer``):
zero 5xx. The same fuzzer as tests/reliability/test_fuzz_api.py (local mode); here the server
has users, so every request resolves the token, its user's roles and the route table first.

An owner's token reaches every write of the demo workspace (on PostgreSQL, where the stricter
types found 32-bit id overflows); a read-only token, on SQLite, is refused every write (403) and
answers every read. Each run takes about half a minute on two cores, so each database runs one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App, local_actor, open_home
from socialpulse.domain.roles import Role
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.conftest import DEMO_UNTIL
from tests.reliability.test_fuzz_api import _script

from .conftest import add_user, fresh_pg_database

#: Examples per operation and generation mode: bounded (about a minute per token here).
EXAMPLES = 3


def test_no_operation_answers_5xx_with_a_read_only_token(demo_app: App) -> None:
    fuzz_with_a_token(demo_app, read_only=True)


@pytest.mark.postgres
def test_no_operation_answers_5xx_with_a_token_on_postgresql(pg_url: str,
                                                             tmp_path: Path) -> None:
    app = open_home(Settings(home=tmp_path / "home", database_url=fresh_pg_database(pg_url)),
                    create=True)
    app.demo.build(local_actor(), DEMO_UNTIL)
    try:
        fuzz_with_a_token(app, read_only=False)
    finally:
        app.store.dispose()


def fuzz_with_a_token(demo_app: App, read_only: bool) -> None:
    """The whole API fuzzed with a token of an owner of the demo workspace."""
    add_user(demo_app, "fuzzer")
    demo_app.members.add(local_actor(), demo_app.workspace("demo"), "fuzzer", Role.OWNER)
    secret, _ = demo_app.tokens.create(local_actor(), "fuzzer", "fuzz", read_only=read_only)
    web = create_app(demo_app.settings, run_jobs=False)
    statuses: list[int] = []
    with TestClient(web, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:

        def send(req: dict[str, Any]) -> tuple[int, str]:
            req["headers"] = {**req.get("headers", {}), "Authorization": f"Bearer {secret}"}
            r = c.request(**req)
            statuses.append(r.status_code)
            return r.status_code, r.text

        openapi = web.openapi()
        assert openapi["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
        problems = _script().fuzz(openapi, send, EXAMPLES)
    assert problems == [], "\n".join(p.line() for p in problems)
    assert 401 not in statuses  # the token was taken on every call
    assert (403 in statuses) is read_only  # only a read-only token is refused writes
    assert statuses.count(200) > 20
