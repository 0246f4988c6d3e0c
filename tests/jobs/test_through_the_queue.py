"""Web imports and scheduled reports run through the job queue, by any worker process.

- An upload to a server that runs no jobs itself is previewed and written by `socialpulse
  worker` in another process (the files are under the data home, the page reads the job's
  row), and the page shows each step as before.
- `report run-due` killed with SIGKILL while it e-mails a report: once its lease has run out,
  the next run says "outcome unknown" (in words, exit 1) and never sends it again on its own;
  after `worker --retry` it is delivered once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.jobs import JobState
from socialpulse.interfaces.cli.main import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.services.jobs import utc_now
from socialpulse.services.report_schedules import DELIVER
from tests.webfixtures import browser_client

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data" / "samples"
DEADLINE_S = 120
ME = Actor.local("tester")


def _env(app: App, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
           "SOCIALPULSE_HOME": str(app.settings.home), **extra}
    for name in ("SOCIALPULSE_DATABASE_URL", "SOCIALPULSE_SMTP_HOST", "SOCIALPULSE_JOB_LEASE_S"):
        if name not in extra:
            env.pop(name, None)
    return env


def _socialpulse(app: App, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "socialpulse.interfaces.cli", *args],
                          env=_env(app), cwd=ROOT, capture_output=True, text=True,
                          timeout=DEADLINE_S)


def _state(page: str) -> str:
    found = re.search(r'data-import-state="([a-z]+)"', page)
    assert found is not None, page[-2000:]
    return found.group(1)


def test_web_import_is_run_by_a_worker_process(demo_app: App) -> None:
    files = [("files", (p.name, p.read_bytes(), "text/csv"))
             for p in sorted((SAMPLES / "tiktok").glob("*.csv"))]
    with browser_client(create_app(demo_app.settings, run_jobs=False)) as client:
        r = client.post("/import?workspace=demo", files=files, follow_redirects=False)
        assert r.status_code == 303
        job_url = r.headers["location"]
        assert _state(client.get(job_url).text) == "reading"  # no worker yet: it waits
        uploads = list((demo_app.settings.home / "uploads").iterdir())
        assert len(uploads) == 1 and len(list(uploads[0].iterdir())) == len(files)
        worker = _socialpulse(demo_app, "worker", "--once")
        assert worker.returncode == 0, worker.stderr
        assert re.fullmatch(r"job \d+ \(import preview, demo: .*\): done: would import "
                            r"13 posts, .*\n", worker.stdout), worker.stdout
        page = client.get(job_url).text
        assert _state(page) == "previewed" and "TikTok haileytupy2.0" in page
        assert "data-import-preview" in page
        r = client.post(job_url.replace("?", "/commit?"), follow_redirects=True)
        assert r.status_code == 200 and _state(r.text) == "writing"
        again = client.post(job_url.replace("?", "/commit?"))  # a second click writes nothing
        assert again.status_code == 400 and "cannot write in state" in again.text
        worker = _socialpulse(demo_app, "worker", "--once")
        assert worker.returncode == 0, worker.stderr
        assert re.fullmatch(r"job \d+ \(import, demo: .*\): done: wrote .* as batch \d+\n",
                            worker.stdout), worker.stdout
        page = client.get(job_url).text
        assert _state(page) == "done" and "13 posts" in page and "New accounts" in page
        assert list(uploads[0].parent.iterdir()) == []  # the upload is gone once written
        assert client.get("/import/jobs/999999?workspace=demo").status_code == 404


class StallingServer:
    """An SMTP server that takes the message's DATA and then never answers: the sender is
    mid-send when the test kills it."""

    def __init__(self) -> None:
        self.data_started = threading.Event()
        self.sessions = 0
        self.delivered: list[bytes] = []
        self.stall = True

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.sessions += 1
        if self.stall:
            self.data_started.set()
            await asyncio.sleep(DEADLINE_S)
            return "451 too late"
        self.delivered.append(envelope.content)
        return "250 OK"


@pytest.fixture
def stalling_smtp() -> Iterator[tuple[StallingServer, int]]:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    handler = StallingServer()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_run_due_killed_while_mailing_is_outcome_unknown_never_sent_twice(
        demo_app: App, tmp_path: Path, stalling_smtp: tuple[StallingServer, int],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    server, port = stalling_smtp
    smtp = {"SOCIALPULSE_SMTP_HOST": "127.0.0.1", "SOCIALPULSE_SMTP_PORT": str(port),
            "SOCIALPULSE_SMTP_STARTTLS": "0"}
    ws = demo_app.workspace("demo")
    for demo_schedule in demo_app.report_schedules.schedules(ws):
        demo_app.report_schedules.remove(ME, ws, demo_schedule.id)
    sch = demo_app.report_schedules.add(ME, ws, "monthly", "html", tmp_path / "out",
                                        ["boss@example.org"])
    run = subprocess.Popen(
        [sys.executable, "-m", "socialpulse.interfaces.cli", "report", "run-due", "--today",
         "2026-10-02"], env=_env(demo_app, SOCIALPULSE_JOB_LEASE_S="1", **smtp), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.data_started.wait(DEADLINE_S), "run-due never started to send"
    finally:
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=DEADLINE_S)
    [job] = [j for j in demo_app.jobs.recent() if j.kind == DELIVER]
    assert job.state is JobState.RUNNING and job.acted_outside
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["demo-monthly-2026-09.html"]
    deadline = time.monotonic() + DEADLINE_S
    while demo_app.jobs.get(job.id).lease_until > utc_now():  # type: ignore[operator]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    monkeypatch.setenv("SOCIALPULSE_HOME", str(demo_app.settings.home))
    for name, value in smtp.items():
        monkeypatch.setenv(name, value)
    server.stall = False
    unknown = (f"schedule {sch.id} 2026-09: outcome unknown: job {job.id}: the worker stopped "
               "while e-mailing the report; ask the recipients whether it arrived, then "
               f"`socialpulse worker --retry {job.id}` sends it again")
    for _ in range(2):  # said every time, never sent again on its own
        assert main(["report", "run-due", "--today", "2026-10-02"]) == 1
        assert capsys.readouterr().err.splitlines() == [unknown]
    assert server.sessions == 1 and server.delivered == []
    assert demo_app.jobs.get(job.id).state is JobState.UNKNOWN
    # the recipients say it never came: send it again, once
    assert main(["worker", "--retry", str(job.id)]) == 0
    assert main(["report", "run-due", "--today", "2026-10-02"]) == 0
    out = capsys.readouterr().out
    assert f"schedule {sch.id} 2026-09: wrote " in out and "e-mailed to boss@example.org" in out
    assert main(["report", "run-due", "--today", "2026-10-02"]) == 0
    assert capsys.readouterr().out == f"schedule {sch.id} 2026-09: already delivered\n"
    assert len(server.delivered) == 1
