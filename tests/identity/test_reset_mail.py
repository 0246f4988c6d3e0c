"""`users reset-password` e-mails the link when SMTP is configured: a real SMTP server on
127.0.0.1 (aiosmtpd) receives it through the stdlib smtplib adapter."""

from __future__ import annotations

import email
import socket
import sys
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from socialpulse.bootstrap import open_home
from socialpulse.interfaces.cli import main
from socialpulse.settings import Settings

PASSWORD = "correct horse battery"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.original_content or envelope.content)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    assert main(["--home", str(home), "init"]) == 0
    for login, mail in (("ana", "ana@example.org"), ("bob", "")):
        monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(PASSWORD + "\n"))
        args = ["--home", str(home), "users", "add", login, "--password-stdin"]
        assert main(args + (["--email", mail] if mail else [])) == 0
    return home


def test_reset_link_is_e_mailed_and_works(home: Path, smtp: tuple[Inbox, int],
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    inbox, port = smtp
    monkeypatch.setenv("SOCIALPULSE_SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
    monkeypatch.setenv("SOCIALPULSE_MAIL_FROM", "analytics@example.org")
    capsys.readouterr()
    assert main(["--home", str(home), "users", "reset-password", "ana", "--url",
                 "https://analytics.example.org"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "e-mailed to ana@example.org"
    url = out[0].rpartition(": ")[2]
    assert url.startswith("https://analytics.example.org/reset/")
    [(sender, to, msg)] = inbox.messages
    assert (sender, to, msg["Subject"]) == ("analytics@example.org", ["ana@example.org"],
                                            "Set your socialpulse password")
    body = msg.get_payload(decode=True)
    assert isinstance(body, bytes) and url in body.decode()
    app = open_home(Settings(home=home))
    try:
        _, user = app.identity.reset_password(url.rpartition("/")[2], "a new password!!")
        assert user.login == "ana"
    finally:
        app.store.dispose()


def test_a_user_without_an_address_only_gets_the_printed_link(
        home: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    inbox, port = smtp
    monkeypatch.setenv("SOCIALPULSE_SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
    capsys.readouterr()
    assert main(["--home", str(home), "users", "reset-password", "bob"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1 and captured.err == ""
    assert inbox.messages == []


def test_a_mail_server_that_is_down_leaves_the_printed_link_working(
        home: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOCIALPULSE_SMTP_URL", f"smtp+plain://127.0.0.1:{_free_port()}")
    capsys.readouterr()
    assert main(["--home", str(home), "users", "reset-password", "ana"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("password link for ana (works once, for 1 hour): ")
    assert captured.err.startswith("socialpulse: warning: not e-mailed: SMTP 127.0.0.1:")
    app = open_home(Settings(home=home))
    try:
        token = captured.out.strip().rpartition("/")[2]
        assert app.identity.reset_password(token, "a new password!!")[1].login == "ana"
    finally:
        app.store.dispose()


def test_bad_mail_settings_spoil_only_the_e_mail(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The mailer is built when a link is sent: a mistyped SOCIALPULSE_SMTP_URL is reported
    there, and sign-in (pages, other commands) keeps working."""
    monkeypatch.setenv("SOCIALPULSE_SMTP_URL", "mailto:nobody")
    capsys.readouterr()
    assert main(["--home", str(home), "users", "reset-password", "ana"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("password link for ana (works once, for 1 hour): ")
    assert captured.err == ("socialpulse: warning: not e-mailed: SOCIALPULSE_SMTP_URL: expected "
                            "smtp://host:port (or smtps://, smtp+plain://), optionally with "
                            "user:password@\n")
    app = open_home(Settings(home=home))
    try:
        assert app.identity.sign_in("ana", PASSWORD, "127.0.0.1")[1].login == "ana"
    finally:
        app.store.dispose()
