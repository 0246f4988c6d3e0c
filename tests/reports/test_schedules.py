"""Scheduled reports: written once per period, e-mailed once to a local SMTP server."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import date
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.errors import InvalidInput
from socialpulse.interfaces.cli import main
from socialpulse.services.report_schedules import SmtpConfig, due_period

ME = Actor.local("tester")


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
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_due_periods() -> None:
    assert due_period("weekly", date(2026, 9, 16)) == (
        "2026-W37", due_period("weekly", date(2026, 9, 14))[1])
    key, rng = due_period("weekly", date(2026, 9, 14))  # a Monday: last week is complete
    assert key == "2026-W37" and (rng.start, rng.end) == (date(2026, 9, 7), date(2026, 9, 13))
    key, rng = due_period("monthly", date(2026, 10, 1))
    assert key == "2026-09" and (rng.start, rng.end) == (date(2026, 9, 1), date(2026, 9, 30))
    key, _ = due_period("monthly", date(2026, 1, 15))
    assert key == "2025-12"


def test_run_due_writes_once_and_mails_once(demo_app: App, tmp_path: Path,
                                            smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    ws = demo_app.workspace("demo")
    schedules = demo_app.report_schedules
    for demo_schedule in schedules.schedules(ws):  # the demo ships one; this test has its own
        schedules.remove(ME, ws, demo_schedule.id)
    folder = tmp_path / "out"
    sch = schedules.add(ME, ws, "weekly", "html", folder, "cmo@example.org, ceo@example.org")
    smtp = SmtpConfig.from_env({"SOCIALPULSE_SMTP_HOST": "127.0.0.1",
                                "SOCIALPULSE_SMTP_PORT": str(port),
                                "SOCIALPULSE_SMTP_STARTTLS": "0",
                                "SOCIALPULSE_SMTP_FROM": "reports@acme.example",
                                "SOCIALPULSE_SMTP_PASSWORD": "s3cret-pw"})
    assert smtp is not None and "s3cret-pw" not in repr(smtp)
    first = schedules.run_due(ME, date(2026, 9, 16), smtp)
    assert [(r.schedule_id, r.period_key, r.status) for r in first] == [
        (sch.id, "2026-W37", "delivered")]
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["demo-weekly-2026-W37.html"]
    assert len(inbox.messages) == 1
    sender, rcpts, msg = inbox.messages[0]
    assert sender == "reports@acme.example"
    assert sorted(rcpts) == ["ceo@example.org", "cmo@example.org"]
    assert "Week 37, 2026" in msg["Subject"]
    attachments = [p for p in msg.walk() if p.get_filename()]
    assert [a.get_filename() for a in attachments] == ["demo-weekly-2026-W37.html"]
    body = attachments[0].get_payload(decode=True)
    assert body == (folder / "demo-weekly-2026-W37.html").read_bytes()
    # again, the same day and the next: already delivered, nothing written or sent
    again = (schedules.run_due(ME, date(2026, 9, 16), smtp)
             + schedules.run_due(ME, date(2026, 9, 20), smtp))
    assert [r.status for r in again] == ["already delivered", "already delivered"]
    assert len(inbox.messages) == 1 and len(list(folder.iterdir())) == 1
    # a new week is a new period
    schedules.run_due(ME, date(2026, 9, 21), smtp)
    assert len(inbox.messages) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["demo-weekly-2026-W37.html",
                                                       "demo-weekly-2026-W38.html"]


def test_failed_mail_is_retried_next_run(demo_app: App, tmp_path: Path,
                                         smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    ws = demo_app.workspace("demo")
    schedules = demo_app.report_schedules
    for demo_schedule in schedules.schedules(ws):  # the demo ships one; this test has its own
        schedules.remove(ME, ws, demo_schedule.id)
    schedules.add(ME, ws, "monthly", "xlsx", tmp_path, ["boss@example.org"])
    down = SmtpConfig("127.0.0.1", _free_port(), starttls=False, password="s3cret-pw")
    failed = schedules.run_due(ME, date(2026, 10, 2), down)
    assert [r.status for r in failed] == ["failed"]
    assert "SMTP 127.0.0.1" in failed[0].message and "s3cret-pw" not in failed[0].message
    up = SmtpConfig("127.0.0.1", port, starttls=False)
    done = schedules.run_due(ME, date(2026, 10, 2), up)
    assert [(r.period_key, r.status) for r in done] == [("2026-09", "delivered")]
    assert len(inbox.messages) == 1


def test_cli_schedule_and_run_due(demo_app: App, tmp_path: Path,
                                  smtp_server: tuple[Inbox, int],
                                  monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    inbox, port = smtp_server
    monkeypatch.setenv("SOCIALPULSE_HOME", str(demo_app.settings.home))
    monkeypatch.setenv("SOCIALPULSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SOCIALPULSE_SMTP_PORT", str(port))
    monkeypatch.setenv("SOCIALPULSE_SMTP_STARTTLS", "0")
    monkeypatch.setenv("SOCIALPULSE_SMTP_PASSWORD", "s3cret-pw")
    folder = tmp_path / "weekly"
    assert main(["report", "schedule", "add", "--cadence", "weekly", "--format", "html",
                 "--folder", str(folder), "--to", "cmo@example.org"]) == 0
    assert main(["report", "schedule", "list"]) == 0
    out = capsys.readouterr().out
    assert "weekly" in out and "cmo@example.org" in out
    assert main(["report", "run-due", "--today", "2026-09-16"]) == 0
    assert main(["report", "run-due", "--today", "2026-09-16"]) == 0
    out = capsys.readouterr()
    assert "2026-W37: wrote" in out.out and "already delivered" in out.out
    assert "s3cret-pw" not in out.out + out.err
    assert len(inbox.messages) == 1
    assert main(["report", "schedule", "add", "--cadence", "daily"]) == 2
    assert main(["report", "schedule", "add", "--to", "not-an-address"]) == 2
    assert main(["report", "schedule", "remove", "99"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "'daily' is not weekly or monthly" in err


def test_smtp_settings_are_checked() -> None:
    assert SmtpConfig.from_env({}) is None
    with pytest.raises(InvalidInput, match="SOCIALPULSE_SMTP_PORT"):
        SmtpConfig.from_env({"SOCIALPULSE_SMTP_HOST": "h", "SOCIALPULSE_SMTP_PORT": "x"})
    cfg = SmtpConfig.from_env({"SOCIALPULSE_SMTP_HOST": "mail.example.org",
                               "SOCIALPULSE_SMTP_PORT": "25"})
    assert cfg is not None and cfg.starttls is False and cfg.port == 25


def test_a_dead_runs_delivery_is_taken_over_after_its_lease(demo_app: App,
                                                             tmp_path: Path) -> None:
    """A run that died holding a delivery job (its lease ran out) is not waited for: the next
    run takes the job over and delivers once; a delivered period never runs again."""
    from datetime import timedelta

    from socialpulse.services.jobs import utc_now
    from socialpulse.services.report_schedules import DELIVER

    ws = demo_app.workspace("demo")
    schedules = demo_app.report_schedules
    for demo_schedule in schedules.schedules(ws):
        schedules.remove(ME, ws, demo_schedule.id)
    sch = schedules.add(ME, ws, "weekly", "html", tmp_path)
    first = schedules.run_due(ME, date(2026, 9, 16), None)
    assert [r.status for r in first] == ["delivered"]
    job = demo_app.jobs.recent()[0]
    assert job.kind == DELIVER and job.state.value == "done"
    # a second schedule's job claimed by a run that then died (lease already over)
    sch2 = schedules.add(ME, ws, "weekly", "html", tmp_path / "two")
    dead = demo_app.jobs.enqueue(ME, DELIVER, {"schedule": sch2.id, "workspace": "demo",
                                               "period": "2026-W37", "today": "2026-09-16"},
                                 key=f"report:{sch2.id}:{sch2.created_at.timestamp():.6f}:"
                                     "2026-W37")
    now = utc_now()
    claimed = demo_app.jobs.queue.claim("dead-run", now=now, lease_until=now - timedelta(1),
                                        kinds=[DELIVER])
    assert claimed is not None and claimed.id == dead.id
    again = schedules.run_due(ME, date(2026, 9, 16), None)
    assert [(r.schedule_id, r.status) for r in again] == [(sch.id, "already delivered"),
                                                          (sch2.id, "delivered")]
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["demo-weekly-2026-W37.html"]
    assert demo_app.jobs.get(dead.id).attempts == 2  # the dead run's try, then this one
    assert [r.status for r in schedules.run_due(ME, date(2026, 9, 16), None)] == [
        "already delivered", "already delivered"]
