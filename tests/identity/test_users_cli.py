"""`socialpulse users ...` and `serve`'s sign-in checks, through the CLI's own entry point."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from socialpulse.bootstrap import open_home
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.cli.users import sign_in_check
from socialpulse.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    assert main(["--home", str(home), "init"]) == 0
    return home


def run(home: Path, capsys: pytest.CaptureFixture[str], *args: str,
        stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None,
        ) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_disable_enable(home: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(home, capsys, "users", "list")
    assert code == 0 and out.startswith("no users: ")
    code, out, _ = run(home, capsys, "users", "add", "Ana", "--name", "Ana Silva", "--email",
                       "ana@example.org", "--password-stdin", stdin=PASSWORD + "\n",
                       monkeypatch=monkeypatch)
    assert (code, out) == (0, "added user ana (site admin)\n")  # the first user is
    code, out, _ = run(home, capsys, "users", "add", "bob", "--password-stdin",
                       stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    assert (code, out) == (0, "added user bob\n")
    code, out, _ = run(home, capsys, "users", "list", "--format", "json")
    users = json.loads(out)
    assert [(u["login"], u["site_admin"], u["disabled"], u["password"]) for u in users] == [
        ("ana", True, False, "set"), ("bob", False, False, "set")]
    assert users[0]["email"] == "ana@example.org" and PASSWORD not in out
    code, out, _ = run(home, capsys, "users", "disable", "BOB")
    assert (code, out) == (0, "disabled user bob; their sessions ended\n")
    code, out, _ = run(home, capsys, "users", "list")
    assert code == 0 and "bob" in out and "True" in out.splitlines()[-1]
    code, out, _ = run(home, capsys, "users", "enable", "bob")
    assert (code, out) == (0, "enabled user bob\n")
    app = open_home(Settings(home=home))
    try:
        _, user = app.identity.sign_in("bob", PASSWORD, "127.0.0.1")
        assert user.login == "bob" and not user.site_admin
    finally:
        app.store.dispose()


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["users", "add", "ana", "--password-stdin"], "short\n",
     "socialpulse: error: password: at least 10 characters, please (got 5)\n"),
    (["users", "add", "ana", "--password-stdin"], "\n",
     "socialpulse: error: --password-stdin: standard input held no password\n"),
    (["users", "add", "no spaces", "--password-stdin"], PASSWORD + "\n",
     "socialpulse: error: login: 'no spaces' is not a login; use 1 to 100 letters, digits "
     "or . _ - @, starting with a letter or digit\n"),
    (["users", "add", "ana", "--link", "--password-stdin"], "",
     "socialpulse: error: --link: give either --link or --password-stdin, not both\n"),
    (["users", "disable", "nobody"], "",
     "socialpulse: error: login: no user 'nobody'; see socialpulse users list\n"),
    (["users", "reset-password", "nobody"], "",
     "socialpulse: error: login: no user 'nobody'; see socialpulse users list\n"),
])
def test_bad_input_is_one_line_and_exit_2(home: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch, args: list[str],
                                          stdin: str, message: str) -> None:
    code, out, err = run(home, capsys, *args, stdin=stdin, monkeypatch=monkeypatch)
    assert (code, out, err) == (2, "", message)
    code, out, _ = run(home, capsys, "users", "list", "--format", "json")
    assert json.loads(out) == []  # nothing half-written


def test_a_login_is_added_once(home: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(home, capsys, "users", "add", "ana", "--link")[0] == 0
    code, _, err = run(home, capsys, "users", "add", "ANA", "--password-stdin",
                       stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    assert (code, err) == (2, "socialpulse: error: login: a user 'ana' already exists\n")


def test_password_is_asked_twice_when_not_piped(home: Path) -> None:
    """Without --password-stdin the password is prompted (hidden) and confirmed."""
    cmd = [sys.executable, "-m", "socialpulse.interfaces.cli", "--home", str(home), "users",
           "add", "ana"]
    differ = subprocess.run(cmd, input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
                            capture_output=True, text=True, timeout=120)
    assert differ.returncode == 0, differ.stderr
    assert "added user ana (site admin)" in differ.stdout
    assert PASSWORD not in differ.stdout + differ.stderr


def test_link_and_reset_password_print_one_time_links(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(home, capsys, "users", "add", "cleo", "--link", "--url",
                       "https://analytics.example.org/")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "added user cleo (site admin)"
    assert lines[1].startswith("set-password link (works once, for 1 hour): "
                               "https://analytics.example.org/reset/")
    code, out, _ = run(home, capsys, "users", "list", "--format", "json")
    assert json.loads(out)[0]["password"] == "none"
    code, out, _ = run(home, capsys, "users", "reset-password", "cleo")
    assert code == 0 and out.startswith(
        "password link for cleo (works once, for 1 hour): http://127.0.0.1:8000/reset/")
    token = out.strip().rpartition("/")[2]
    app = open_home(Settings(home=home))
    try:
        _, user = app.identity.reset_password(token, "a password of my own")
        assert user.login == "cleo"
        app.identity.sign_in("cleo", "a password of my own", "127.0.0.1")
    finally:
        app.store.dispose()
    code, _, err = run(home, capsys, "users", "reset-password", "cleo", "--url", "ftp://x")
    assert (code, err) == (2, "socialpulse: error: --url: 'ftp://x' is not an http:// or "
                              "https:// address\n")


def test_serve_on_the_network_refuses_a_home_with_data_and_no_users(
        home: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(home, capsys, "workspaces", "add", "acme", "--name", "Acme")[0] == 0
    for host in ("0.0.0.0", "192.0.2.1", "analytics.example.org"):
        code, out, err = run(home, capsys, "serve", "--host", host, "--port", "9")
        assert (code, out) == (2, "")
        assert err == (f"socialpulse: error: --host {host}: nobody could sign in (no users); "
                       "add the owner with `socialpulse users add LOGIN --site-admin` first "
                       "(only 127.0.0.1 serves without sign-in)\n")
    code, _, err = run(home, capsys, "demo", "--host", "0.0.0.0", "--until", "2026-10-31")
    assert code == 2 and "nobody could sign in" in err
    code, out, _ = run(home, capsys, "workspaces", "list", "--format", "json")
    assert [w["slug"] for w in json.loads(out)] == ["acme"]  # the demo was not built


def test_sign_in_check_says_what_each_start_means(home: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_home(Settings(home=home))
    try:
        s = app.settings
        assert sign_in_check(app, s, "127.0.0.1", 8000) == (
            "no users: anyone using this machine acts as you (no sign-in); add users with "
            "`socialpulse users add LOGIN` to require it")
        line = sign_in_check(app, s, "0.0.0.0", 8000)  # an empty home: the owner's link
        assert line is not None and line.startswith(
            "no users yet: create the owner at this one-time link (1 hour): "
            "http://127.0.0.1:8000/setup/")
        line = sign_in_check(app, s.with_hosts("analytics.example.org"), "0.0.0.0", 80)
        assert line is not None and "http://analytics.example.org:80/setup/" in line
        assert run(home, capsys, "users", "add", "ana", "--password-stdin",
                   stdin=PASSWORD + "\n", monkeypatch=monkeypatch)[0] == 0
        fresh = open_home(Settings(home=home))
        assert sign_in_check(fresh, s, "0.0.0.0", 8000) is None
        assert sign_in_check(fresh, s, "127.0.0.1", 8000) is None
        fresh.store.dispose()
    finally:
        app.store.dispose()


def test_serve_on_loopback_with_no_users_says_how_to_add_them(home: Path) -> None:
    """The real server: its first line is the address, the second what signing in means."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "socialpulse.interfaces.cli", "--home", str(home), "serve",
         "--port", str(port), "--no-worker"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        first, second = proc.stdout.readline(), proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert first == f"socialpulse dashboard on http://127.0.0.1:{port}/  (Ctrl+C to stop)\n"
    assert second == ("no users: anyone using this machine acts as you (no sign-in); add users "
                      "with `socialpulse users add LOGIN` to require it\n")
