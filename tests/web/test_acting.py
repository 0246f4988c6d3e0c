"""The acting user is resolved in one place per interface and every write asks `authorize`.

Today every request and command acts as the local user, who may do everything; these tests
swap the one resolver for an actor without grants (what an API token is until issue 14 gives
roles) and check that writes are refused with 403 / exit 2 and change nothing, while reads go on.
"""

from __future__ import annotations

from typing import Any

import pytest

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.actor import Actor, ActorKind
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
