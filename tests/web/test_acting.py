"""The acting user is resolved in one place per interface and every write asks `authorize`.

Today every request and command acts as the local user, who may do everything; these tests
swap the one resolver for an actor without grants (what an API token is until issue 14 gives
roles) and check that writes are refused with 403 / exit 2 and change nothing, while reads go on.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.interfaces import web
from socialpulse.interfaces.cli import common as cli_common
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.interfaces.web.common import acting
from tests.webfixtures import browser_client

TOKEN = Actor("token:7", "ci script", ActorKind.API_TOKEN)
REFUSED = "ci script (api_token) may not change a workspace's settings, accounts or brands in " \
          "workspace 'demo'"


@pytest.fixture
def token_client(demo_app: App) -> Any:
    """A browser-like client over a private demo copy whose requests act as `TOKEN`."""
    web = create_app(demo_app.settings)
    web.dependency_overrides[acting] = lambda: TOKEN
    with browser_client(web, raise_server_exceptions=False) as c:
        yield c, demo_app


def test_api_writes_are_refused_for_an_actor_without_grants(token_client: Any) -> None:
    c, app = token_client
    ws = app.workspace("demo")
    r = c.patch("/api/workspaces/demo", json={"name": "Renamed"})
    assert r.status_code == 403 and r.json()["error"]["message"] == REFUSED
    r = c.patch("/api/workspaces/demo/accounts/1", json={"name": "Renamed"})
    assert r.status_code == 403
    batch = app.batches.history(ws)[0].id
    r = c.delete(f"/api/workspaces/demo/batches/{batch}")
    assert r.status_code == 403 and "may not remove imported data" in r.json()["error"]["message"]
    assert app.workspace("demo").name == ws.name
    assert app.batches.history(ws)[0].state == "active"
    assert c.get("/api/workspaces/demo/accounts").status_code == 200  # reads go on


def test_page_writes_are_refused_for_an_actor_without_grants(token_client: Any) -> None:
    c, app = token_client
    r = c.post("/workspace/settings?workspace=demo", data={"name": "Renamed"})
    assert r.status_code == 403 and "may not change a workspace" in r.text
    assert app.workspace("demo").name != "Renamed"


def test_the_local_user_may_write_through_the_api(demo_app: App) -> None:
    with browser_client(create_app(demo_app.settings), raise_server_exceptions=False) as c:
        r = c.patch("/api/workspaces/demo", json={"name": "Renamed"})
    assert r.status_code == 200 and demo_app.workspace("demo").name == "Renamed"


def test_cli_writes_go_through_its_one_resolver(demo_app: App, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    home = str(demo_app.settings.home)
    monkeypatch.setattr(cli_common, "local_actor", lambda: TOKEN)
    assert main(["--home", home, "workspaces", "add", "acme"]) == 2
    assert "ci script (api_token) may not create a workspace" in capsys.readouterr().err
    assert main(["--home", home, "lake", "compact", "-w", "demo"]) == 2
    assert "may not compact the data lake in workspace 'demo'" in capsys.readouterr().err
    assert [w.slug for w in demo_app.workspaces.list()] == ["demo"]
    assert main(["--home", home, "workspaces", "list"]) == 0  # reads go on
    monkeypatch.undo()
    assert main(["--home", home, "workspaces", "add", "acme"]) == 0


def test_the_local_user_is_named_by_the_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "ada")
    assert local_actor() == Actor("local:ada", "ada", ActorKind.LOCAL_USER)
    assert cli_common.acting() == local_actor()


#: POST routes that only read (a body too large or structured for a query string).
READS_BY_POST = {
    "api_test_query": "counts the stored mentions a query would match",
    "api_classify": "language and sentiment of the texts sent, nothing stored",
}

#: Sign-in's writes: each is authorised by what it receives (a password, a one-time link, the
#: session it ends or whose password it changes), not by an acting user.
SIGN_IN_WRITES = {("signin.py", name) for name in (
    "signin", "signout", "signout_everywhere", "setup", "reset", "change_password")}


def routes_without_actor(folder: Path) -> list[str]:
    """Web routes answering POST, PUT, PATCH or DELETE whose function (or a function of its
    module it calls) neither takes `Acting` nor calls `acting(request)`."""
    out = []
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        funcs = {n.name: n for n in tree.body
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for fn in funcs.values():
            methods = {d.func.attr for d in fn.decorator_list
                       if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)}
            if not methods & {"post", "put", "patch", "delete"} or fn.name in READS_BY_POST \
                    or (path.name, fn.name) in SIGN_IN_WRITES:
                continue
            called = [funcs[c.func.id] for c in ast.walk(fn) if isinstance(c, ast.Call)
                      and isinstance(c.func, ast.Name) and c.func.id in funcs]
            text = " ".join(ast.unparse(f) for f in [fn, *called])
            if "Acting" not in ast.unparse(fn.args) and "acting(" not in text:
                out.append(f"{path.name}:{fn.lineno} {fn.name}")
    return out


def test_every_web_write_resolves_the_actor() -> None:
    assert routes_without_actor(Path(web.__file__).parent) == []


def test_the_route_checker_finds_a_write_without_actor(tmp_path: Path) -> None:
    (tmp_path / "r.py").write_text(
        "@router.post('/a')\ndef forgot(request): ...\n"
        "@router.delete('/b')\ndef typed(request, actor: Acting): ...\n"
        "def _helper(request):\n    return acting(request)\n"
        "@router.patch('/c')\ndef helped(request):\n    return _helper(request)\n"
        "@router.get('/d')\ndef read(request): ...\n"
        "@router.post('/e')\ndef api_classify(request): ...\n", encoding="utf-8")
    assert routes_without_actor(tmp_path) == ["r.py:2 forgot"]
