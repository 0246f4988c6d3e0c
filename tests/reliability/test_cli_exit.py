"""CLI exit codes: 2 for what the user can fix, 1 when a scheduled delivery fails.

`report run-due` printed "failed" and exited 0 (issue 11, item 7): Typer returns a command's
exit code instead of raising it when not in standalone mode, and `main` dropped it. Typer also
raises its own copy of click's usage errors, which `main` did not catch (exit 1, "internal").
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.interfaces.cli import main


class RefusingServer:
    """An SMTP server that refuses every recipient (550), as a mail server does for an
    address it does not know."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        return "550 5.1.1 no such user here"


@pytest.fixture
def refusing_smtp() -> Iterator[int]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    controller = Controller(RefusingServer(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_run_due_exits_1_naming_the_schedule_when_delivery_fails(
        demo_app: App, tmp_path: Any, refusing_smtp: int, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOCIALPULSE_HOME", str(demo_app.settings.home))
    monkeypatch.setenv("SOCIALPULSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SOCIALPULSE_SMTP_PORT", str(refusing_smtp))
    monkeypatch.setenv("SOCIALPULSE_SMTP_STARTTLS", "0")
    assert main(["report", "schedule", "add", "--cadence", "monthly", "--format", "html",
                 "--folder", str(tmp_path), "--to", "nobody@example.org"]) == 0
    sid = capsys.readouterr().out.split(":")[0].removeprefix("schedule ")
    assert main(["report", "run-due", "--today", "2026-10-02"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"schedule {sid} 2026-09: failed: SMTP 127.0.0.1")
    assert "550" in err[0] and "Traceback" not in err[0]
    # the claim was released: the next run tries again (and fails again, exit 1)
    assert main(["report", "run-due", "--today", "2026-10-02"]) == 1


def test_run_due_exits_0_when_everything_was_delivered(
        demo_app: App, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALPULSE_HOME", str(demo_app.settings.home))
    monkeypatch.delenv("SOCIALPULSE_SMTP_HOST", raising=False)
    assert main(["report", "schedule", "add", "--cadence", "monthly", "--format", "html",
                 "--folder", str(tmp_path)]) == 0
    assert main(["report", "run-due", "--today", "2026-10-02"]) == 0


@pytest.mark.parametrize("argv", [
    ["metrics", "compute", "--no-such-option"],
    ["goals", "list", "--format"],
    ["no-such-command"],
    # ids beyond 64 bits reached the store, where SQLite overflowed (exit 1, "internal error")
    ["goals", "show", "99999999999999999999"],
    ["okrs", "show", "9223372036854775808"],
    ["report", "schedule", "remove", "99999999999999999999"],
    ["lake", "remove", "99999999999999999999"],
])
def test_usage_errors_exit_2_with_one_line(argv: list[str], demo_app: App,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOCIALPULSE_HOME", str(demo_app.settings.home))
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("socialpulse: error: "), err
