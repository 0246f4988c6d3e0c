"""The RBAC matrix: every route of the app x every role x own / another workspace.

Routes come from the app's route table, so a new route is in the matrix without editing this
test, and `test_every_route_is_classified` fails for a route `interfaces/web/access.py` does
not classify. Each role is a real user with a real API token (``Authorization: Bearer``),
member of the workspace ``mine`` only; the other workspace is the demo, full of data. Path
parameters hold the demo's real ids (a goal, an account, a batch...): guessed ids, which must
not reach the demo's data through ``mine`` either (tenant isolation). After the matrix the
demo's rows and lake files are exactly as before, and no answer to a member of ``mine``
carries a name from the demo.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from socialpulse.bootstrap import App, local_actor, open_home
from socialpulse.domain.actor import Action, Actor, allowed
from socialpulse.domain.roles import SITE_ACTIONS, Role
from socialpulse.interfaces.web.access import PUBLIC_NEED, SIGNED_IN_NEED, classify
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.conftest import DEMO_UNTIL

from .conftest import BACKENDS, add_user, database_url

ME = local_actor()
OWN, OTHER = "mine", "demo"
#: Names only the demo workspace holds: no answer to a member of `OWN` may contain them.
CANARIES = ("Acme Outdoor", "Summit Gear", "TrailCo", "acmeoutdoor", "summitgear")
#: Rows of the app database that name their workspace, and the table a path parameter's id
#: is taken from (the demo's first row): ids guessed from another workspace.
ID_TABLES = {
    "account": "accounts", "account_id": "accounts", "goal_id": "goals",
    "objective_id": "okr_objectives", "alert_id": "listening_alerts",
    "batch_id": "ingest_batches", "assessment": "maturity_assessments",
    "connection_id": "connections", "ref": "connections", "rule_id": "alert_rules",
    "event_id": "alert_events",
    "source_id": "listening_sources", "schedule_id": "report_schedules",
}
TEXT_PARAMS = {"metric_id": "engagement_rate", "figure": "share_of_voice",
               "brand": "Acme Outdoor", "action": "pause"}
WS_404 = re.compile(r"workspace ('|&#39;).{0,80}?('|&#39;) not found|not a member of any workspace")


def app_routes(routes: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path template) of every route of the app, through included routers."""
    for r in routes:
        if hasattr(r, "original_router"):
            yield from app_routes(r.original_router.routes, prefix + r.include_context.prefix)
        elif hasattr(r, "methods") and r.methods:
            for m in sorted(r.methods - {"HEAD", "OPTIONS"}):
                yield m, prefix + r.path
        elif hasattr(r, "routes"):
            yield from app_routes(r.routes, prefix + getattr(r, "path", ""))


@dataclass
class Matrix:
    app: App
    web: FastAPI
    tokens: dict[str, str]  # role (or "site-admin") -> secret
    actors: dict[str, Actor]
    ids: dict[str, str]  # path parameter -> a demo id


def _victim_ids(app: App, victim: int) -> dict[str, str]:
    meta = MetaData()
    meta.reflect(app.store.engine)
    ids = dict(TEXT_PARAMS)
    with app.store.engine.connect() as c:
        for param, name in ID_TABLES.items():
            table = meta.tables.get(name)
            if table is None or "workspace_id" not in table.c:
                ids[param] = "1"
                continue
            found = c.execute(select(table.c.id).where(table.c.workspace_id == victim)
                              .order_by(table.c.id)).scalars().first()
            ids[param] = str(found if found is not None else 1)
    return ids


def victim_state(app: App, victim: int) -> dict[str, Any]:
    """The demo's rows in every table that names a workspace, and its lake files."""
    meta = MetaData()
    meta.reflect(app.store.engine)
    rows: dict[str, list[str]] = {}
    with app.store.engine.connect() as c:
        for name, table in sorted(meta.tables.items()):
            if "workspace_id" in table.c:
                rows[name] = sorted(repr(tuple(r)) for r in
                                    c.execute(select(table).where(table.c.workspace_id == victim)))
            elif name == "workspaces":
                rows[name] = [repr(tuple(r)) for r in
                              c.execute(select(table).where(table.c.id == victim))]
    lake = Path(app.settings.lake_dir)
    files = {str(p.relative_to(lake)): (p.stat().st_size, p.stat().st_mtime_ns)
             for p in sorted(lake.rglob(f"ws={victim}/**/*")) if p.is_file()}
    return {"rows": rows, "lake": files}


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    home = tmp_path_factory.mktemp("rbac") / "home"
    url = database_url(request, request.param)
    if url is None:  # a copy of the session's demo home
        shutil.copytree(request.getfixturevalue("demo_home_template"), home)
        app = open_home(Settings(home=home))
    else:  # the demo built on PostgreSQL
        app = open_home(Settings(home=home, database_url=url), create=True)
        app.demo.build(ME, DEMO_UNTIL)
    mine = app.workspaces.create(ME, OWN, "Northwind")
    tokens, actors = {}, {}
    for role in Role:
        user = add_user(app, f"{role.value}-user")
        app.members.add(ME, mine, user.login, role)
        tokens[role.value], _ = app.tokens.create(ME, user.login, "matrix")
        actors[role.value] = app.members.actor_for(user)
    boss = add_user(app, "boss", site_admin=True)
    tokens["site-admin"], _ = app.tokens.create(ME, "boss", "matrix")
    actors["site-admin"] = app.members.actor_for(boss)
    victim = app.workspaces.get(OTHER).id
    web = create_app(app.settings, run_jobs=False)
    yield Matrix(app, web, tokens, actors, _victim_ids(app, victim))
    app.store.dispose()


def test_every_route_is_classified(matrix: Matrix) -> None:
    routes = sorted(set(app_routes(matrix.web.routes)))
    assert len(routes) > 80
    assert [f"{m} {p}" for m, p in routes if classify(m, p) is None] == []


def _url(path: str, slug: str, ids: dict[str, str]) -> str:
    filled = re.sub(r"\{(\w+)(?::\w+)?\}",
                    lambda g: slug if g[1] == "slug" else ids.get(g[1], "1"), path)
    return filled if "{slug}" in path else f"{filled}?workspace={slug}"


def _call(c: TestClient, method: str, url: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
    return c.request(method, url, headers=headers, json=body, follow_redirects=False)


def _expect(m: Matrix, who: str, method: str, path: str, slug: str) -> str:
    """What ``who`` must get: "ok" (not refused), "403" or "404" (the workspace hidden)."""
    need = classify(method, path)
    actor = m.actors[who]
    if need == SIGNED_IN_NEED:
        return "ok"
    action = Action(str(need))
    if action in SITE_ACTIONS:
        return "ok" if allowed(actor, action) else "403"
    if not allowed(actor, Action.WORKSPACE_READ, slug):
        return "404"
    return "ok" if allowed(actor, action, slug) else "403"


def _check(r: Any, expect: str, canaries: bool) -> str | None:
    """What is wrong with answer ``r`` (None: nothing)."""
    if r.status_code >= 500:
        return f"{r.status_code} {r.text[:120]}"
    if expect == "404" and not (r.status_code == 404 and WS_404.search(r.text)):
        return f"expected the workspace hidden (404), got {r.status_code} {r.text[:120]}"
    if expect == "403" and r.status_code != 403:
        return f"expected 403, got {r.status_code} {r.text[:120]}"
    if expect == "ok" and (r.status_code in (401, 403)
                           or (r.status_code == 404 and WS_404.search(r.text))):
        return f"refused: {r.status_code} {r.text[:120]}"
    leaked = [c for c in CANARIES if c in r.text] if canaries else []
    return f"{r.status_code} shows the demo's {leaked[0]!r}" if leaked else None


@pytest.mark.parametrize("who", [*(r.value for r in Role), "site-admin"])
def test_matrix(matrix: Matrix, who: str) -> None:
    m = matrix
    victim = m.app.workspaces.get(OTHER).id
    before = victim_state(m.app, victim)
    wrong: list[str] = []
    with TestClient(m.web, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        for method, path in sorted(set(app_routes(m.web.routes))):
            need = classify(method, path)
            if need == PUBLIC_NEED or need is None:
                continue
            slugs = [OWN] if need == SIGNED_IN_NEED else [OWN, OTHER]
            for slug in slugs:
                r = _call(c, method, _url(path, slug, m.ids), m.tokens[who])
                problem = _check(r, _expect(m, who, method, path, slug),
                                 canaries=who != "site-admin")
                if problem:
                    wrong.append(f"{method} {path} [{slug}]: {problem}")
        # the canaries have teeth: the demo's own answers carry them
        shown = _call(c, "GET", f"/api/workspaces/{OTHER}/accounts", m.tokens["site-admin"])
        assert shown.status_code == 200 and all(x in shown.text for x in CANARIES[:3])
    assert wrong == []
    if who != "site-admin":  # a site admin may change the demo; nobody else did
        assert victim_state(m.app, victim) == before


def test_without_credentials_nothing_but_public_routes_answers(matrix: Matrix) -> None:
    m = matrix
    wrong = []
    with TestClient(m.web, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        for method, path in sorted(set(app_routes(m.web.routes))):
            if classify(method, path) == PUBLIC_NEED:
                continue
            r = _call(c, method, _url(path, OTHER, m.ids), None)
            api = path.startswith("/api")
            ok = r.status_code == 401 if api else (
                r.status_code in (302, 303, 307) and r.headers["location"].startswith("/signin"))
            if not ok or any(x in r.text for x in CANARIES):
                wrong.append(f"{method} {path}: {r.status_code} {r.text[:100]}")
    assert wrong == []


def test_another_workspace_answers_as_one_that_does_not_exist(matrix: Matrix) -> None:
    m = matrix
    with TestClient(m.web, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        token = m.tokens[Role.VIEWER.value]
        theirs = _call(c, "GET", f"/api/workspaces/{OTHER}/accounts", token)
        nowhere = _call(c, "GET", "/api/workspaces/no-such-place/accounts", token)
        assert theirs.status_code == nowhere.status_code == 404
        assert theirs.json()["error"]["message"].replace(OTHER, "X") == \
            nowhere.json()["error"]["message"].replace("no-such-place", "X") == \
            "workspace 'X' not found (workspaces: mine)"
        listed = _call(c, "GET", "/api/workspaces", token).json()
        assert [w["slug"] for w in listed] == [OWN]
        everything = _call(c, "GET", "/api/workspaces", m.tokens["site-admin"]).json()
        assert {w["slug"] for w in everything} == {OWN, OTHER}
