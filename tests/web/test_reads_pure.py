"""Reads never write: every page, every API GET and every CLI read leaves the app database (every
table, every row) and the lake (every file, byte for byte) exactly as it found them.

The crawl enumerates the app's routes, so a new GET route is crawled without editing this test;
a path parameter it cannot fill from the demo fails the test (add it to `path_values`).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from socialpulse.bootstrap import App, open_home
from socialpulse.domain.actor import Actor
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.webfixtures import browser_client

ACTOR = Actor.local("tester")  # who the tests act as (service writes take an actor)

TODAY = "2026-10-31"  # the demo data ends here
PERIOD = "2026-Q3"


@pytest.fixture(scope="module")
def home(demo_home_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private demo home with something behind every kind of id: a goal, an OKR, a completed
    assessment (the demo's) and saved audit baselines."""
    path = tmp_path_factory.mktemp("reads-pure") / "home"
    shutil.copytree(demo_home_template, path)
    app = open_home(Settings(home=path))
    try:
        ws = app.workspace("demo")
        from datetime import date

        today = date.fromisoformat(TODAY)
        if not app.goals.repo.goals(ws.id, True):
            app.goals.create_from_template(ACTOR, ws, "brand_awareness:reach", today=today)
        if not app.goals.repo.objectives(ws.id):
            app.goals.add_okr(ACTOR, ws, "Be the outdoor brand hikers talk to", [
                {"metric": "reach", "target_change_pct": 10},
                {"metric": "engagements", "target_change_pct": 10},
                {"metric": "followers", "target_change_pct": 5},
            ], "2026-12-31", today=today)
    finally:
        app.store.dispose()
    return path


def snapshot(app: App, hashes: bool = False) -> dict[str, Any]:
    """Every row of every table of the app database, and every lake file's size and change
    time (with ``hashes``, its content hash too: the last, thorough comparison)."""
    meta = MetaData()
    meta.reflect(app.store.engine)
    tables: dict[str, list[str]] = {}
    with app.store.engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            tables[name] = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
    lake_dir = Path(app.settings.home) / "lake"
    files = {
        str(p.relative_to(lake_dir)): (p.stat().st_size, p.stat().st_mtime_ns,
                                       hashlib.sha256(p.read_bytes()).hexdigest() if hashes else "")
        for p in sorted(lake_dir.rglob("*")) if p.is_file()
    }
    return {"tables": tables, "lake": files}


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs, named: the tables whose rows changed and the lake files that did."""
    out = [f"table {t}" for t in sorted(set(before["tables"]) | set(after["tables"]))
           if before["tables"].get(t) != after["tables"].get(t)]
    out += [f"lake file {f}" for f in sorted(set(before["lake"]) | set(after["lake"]))
            if before["lake"].get(f) != after["lake"].get(f)]
    return out


def get_routes(routes: Any, prefix: str = "") -> Iterator[str]:
    """Paths of every GET route, through included routers."""
    for r in routes:
        if hasattr(r, "original_router"):
            yield from get_routes(r.original_router.routes, prefix + r.include_context.prefix)
        elif hasattr(r, "routes") and not hasattr(r, "methods"):
            yield from get_routes(r.routes, prefix + getattr(r, "path", ""))
        elif "GET" in (getattr(r, "methods", None) or ()):
            yield prefix + r.path


def path_values(client: TestClient) -> dict[str, str]:
    """A real value for every path parameter, read from the demo through the API itself."""
    goals = client.get(f"/api/workspaces/demo/goals?today={TODAY}").json()
    okrs = client.get(f"/api/workspaces/demo/okrs?today={TODAY}").json()
    done = [a for a in client.get("/api/workspaces/demo/maturity/assessments").json()
            if a["status"] == "complete"]
    assert goals and okrs and done, "the crawl needs a goal, an OKR and an assessment"
    return {
        "slug": "demo",
        "goal_id": str(goals[0]["id"]),
        "objective_id": str(okrs[0]["id"]),
        "assessment": str(done[0]["id"]),
        "metric_id": "engagement_rate",
        "figure": "share_of_voice",
        "job_id": "no-such-job",  # jobs live in memory; a 404 is still a read
        # an alert's acknowledgement page; that a real one changes nothing is tested in
        # tests/listening_live/test_alerts.py
        "token": "no-such-alert-token",
        # the demo's inbox and outbox are empty: a made-up id is a 404, still a read
        "conversation": "1",
        "post_id": "1",
        "path": "app.css",
    }


def fill(path: str, values: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        assert name in values, f"no value for path parameter {name!r} of {path}"
        return values[name]

    return re.sub(r"\{([^}]+)\}", one, path)


def test_every_get_route_leaves_database_and_lake_unchanged(home: Path) -> None:
    web = create_app(Settings(home=home))
    app: App = web.state.sp
    with browser_client(web, raise_server_exceptions=False) as client:
        values = path_values(client)
        paths = sorted(set(get_routes(web.routes)))
        assert "/maturity/assess" in paths and "/api/workspaces/{slug}/overview" in paths
        before, thorough = snapshot(app), snapshot(app, hashes=True)
        visited = 0
        for path in paths:
            url = fill(path, values)
            # bare (the defaults) and with a period and a day, as pages link to them
            for query in ("", f"?workspace=demo&period={PERIOD}&today={TODAY}"):
                resp = client.get(url + query)
                assert resp.status_code < 500, f"GET {url}{query}: {resp.status_code}"
                visited += 1
                after = snapshot(app)
                assert not changes(before, after), (
                    f"GET {url}{query} wrote: {', '.join(changes(before, after))}")
        # the maturity wizard's steps, each of which used to start a draft
        for step in range(1, 9):
            client.get(f"/maturity/assess?workspace=demo&step={step}")
        assert not changes(before, snapshot(app)), "viewing the assessment wrote"
        assert visited >= 2 * 40
    assert not changes(thorough, snapshot(app, hashes=True))


CLI_READS: list[list[str]] = [
    ["workspaces", "list"],
    ["accounts", "list", "--workspace", "demo"],
    ["metrics", "compute", "engagement_rate", "--workspace", "demo", "--period", PERIOD],
    ["posts", "--workspace", "demo", "--period", PERIOD],
    ["goals", "list", "--workspace", "demo", "--today", TODAY],
    ["goals", "show", "{goal_id}", "--workspace", "demo", "--today", TODAY],
    ["okrs", "list", "--workspace", "demo", "--today", TODAY],
    ["okrs", "show", "{objective_id}", "--workspace", "demo", "--today", TODAY],
    ["audit", "--workspace", "demo", "--period", PERIOD],
    ["assess", "--workspace", "demo"],
    ["listen", "sov", "--workspace", "demo", "--period", PERIOD],
    ["listen", "volume", "--workspace", "demo", "--period", PERIOD],
    ["listen", "mentions", "--workspace", "demo", "--period", PERIOD],
    ["lake", "status", "--workspace", "demo"],
    ["report", "--workspace", "demo", "--period", PERIOD, "--format", "html", "-o", "{out}"],
]


def test_cli_reads_leave_database_and_lake_unchanged(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    web = create_app(Settings(home=home))
    app: App = web.state.sp
    with browser_client(web, raise_server_exceptions=False) as client:
        values = {**path_values(client), "out": str(tmp_path / "report.html")}
    before, thorough = snapshot(app), snapshot(app, hashes=True)
    for args in CLI_READS:
        argv = ["--home", str(home), *(fill(a, values) for a in args)]
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 0, f"socialpulse {' '.join(args)}: exit {code}: {err}"
        assert not changes(before, snapshot(app)), (
            f"socialpulse {' '.join(args)} wrote: {', '.join(changes(before, snapshot(app)))}")
    assert (tmp_path / "report.html").stat().st_size > 0
    assert not changes(thorough, snapshot(app, hashes=True))
