"""`socialpulse members` and `socialpulse tokens`: exit codes, one-line errors, the secret
printed once and working as a Bearer token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialpulse.bootstrap import open_home
from socialpulse.domain.actor import Action, allowed
from socialpulse.interfaces.cli import main
from socialpulse.settings import Settings

from .conftest import add_user


def test_members_and_tokens_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(tmp_path / "home")
    app = open_home(Settings(home=tmp_path / "home"), create=True)
    add_user(app, "ana")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--home", home, *args])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("workspaces", "add", "acme")[0] == 0
    assert run("members", "add", "acme", "Ana", "analyst")[1] == "ana is now analyst of acme\n"
    code, _, err = run("members", "add", "acme", "ana", "viewer")
    assert code == 2 and err == ("socialpulse: error: already a member, as analyst; change the "
                                 "role with `socialpulse members set-role`\n")
    code, _, err = run("members", "set-role", "acme", "ana", "boss")
    assert code == 2 and err.startswith("socialpulse: error: role: unknown role 'boss'; use one "
                                        "of owner, admin, analyst")
    assert run("members", "add", "nope", "ana", "viewer")[0] == 2
    assert run("members", "add", "acme", "zed", "viewer")[2] == (
        "socialpulse: error: user 'zed': no such user; add them with `socialpulse users add "
        "zed`\n")
    assert run("members", "set-role", "acme", "ana", "owner")[0] == 0
    code, out, _ = run("members", "list", "acme", "--format", "csv")
    assert code == 0 and out.splitlines()[1].startswith("ana,Ana,owner,False,")
    assert run("members", "remove", "acme", "ana")[2] == (
        "socialpulse: error: this is the workspace's last owner; make another member owner "
        "first\n")

    code, out, _ = run("tokens", "create", "ana", "-w", "acme", "--read-only",
                       "--expires-days", "7", "--name", "dashboard")
    assert code == 0 and "(read-only; workspaces: acme; expires " in out
    secret = re.search(r"secret \(shown once, keep it safe\): (sp_\S+)", out)
    assert secret is not None
    actor = app.tokens.actor_for_token(secret.group(1))
    assert actor is not None and allowed(actor, Action.WORKSPACE_READ, "acme")
    assert not allowed(actor, Action.GOALS_EDIT, "acme")
    code, out, _ = run("tokens", "list")
    assert code == 0 and secret.group(1) not in out and "dashboard" in out and "active" in out
    assert run("tokens", "create", "ana", "--expires-days", "0")[0] == 2
    assert run("tokens", "revoke", "1")[1] == "revoked token 1 of ana\n"
    assert app.tokens.actor_for_token(secret.group(1)) is None
    assert "revoked" in run("tokens", "list", "ana")[1]
    assert run("tokens", "revoke", "99")[2] == (
        "socialpulse: error: token 99: no such token; `socialpulse tokens list` shows their "
        "ids\n")
    app.store.dispose()
