"""Scheduled reports: weekly or monthly, written to a folder and e-mailed when SMTP is set.

`run_due(today)` delivers, for every schedule, the last *complete* period before ``today`` (last
ISO week for weekly, last calendar month for monthly), through the job queue: one
``report.deliver`` job per (schedule, period), with both as its idempotency key, so re-running
(from cron, twice, or by two processes at once) never writes or sends a period twice; the
queue's lease replaces the claim this module used to keep. `run_due` runs its jobs at once in
this process (or waits for the worker that took one) and answers what became of each. Files are
written atomically (temp file + fsync + rename), so a worker that dies while writing leaves the
job to be retried; once the e-mail may have started, a dead worker leaves it "outcome unknown"
(`OnExpiry.UNKNOWN_ONCE_OUTSIDE`), never sent twice silently. A failed delivery is tried again
by the next run (or by a worker after the backoff).

SMTP settings come from the environment at the edge (`SmtpConfig.from_env`): the password is
never logged, printed or stored.
"""

from __future__ import annotations

import builtins
import logging
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, NotFound
from socialpulse.domain.jobs import Job, JobState, OnExpiry
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.schedules import Schedule
from socialpulse.services.jobs import (
    JobContext,
    JobKind,
    JobService,
    register_kind,
    worker_name,
)
from socialpulse.services.ports import ReportSchedulesRepo
from socialpulse.services.report_render import ReportFormat, parse_format, render, write_atomic

log = logging.getLogger("socialpulse.reports")

CADENCES = ("weekly", "monthly")
DELIVER = "report.deliver"
#: How long `run_due` waits for a delivery another worker is running.
WAIT_FOR_WORKER_S = 600.0
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "socialpulse@localhost"
    starttls: bool = True

    def __repr__(self) -> str:  # never show the password, even in a debugger or a log
        return (f"SmtpConfig(host={self.host!r}, port={self.port}, user={self.user!r}, "
                f"sender={self.sender!r}, starttls={self.starttls})")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpConfig | None:
        """``SOCIALPULSE_SMTP_HOST`` (required to send), ``_PORT``, ``_USER``, ``_PASSWORD``,
        ``_FROM``, ``_STARTTLS`` (1/0, default 1 unless the port is 25). None without a host."""
        host = (env.get("SOCIALPULSE_SMTP_HOST") or "").strip()
        if not host:
            return None
        port_text = (env.get("SOCIALPULSE_SMTP_PORT") or "587").strip()
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise InvalidInput(f"SOCIALPULSE_SMTP_PORT: {port_text!r} is not a port number")
        port = int(port_text)
        tls_text = (env.get("SOCIALPULSE_SMTP_STARTTLS") or "").strip().lower()
        if tls_text and tls_text not in ("1", "0", "true", "false", "yes", "no"):
            raise InvalidInput(f"SOCIALPULSE_SMTP_STARTTLS: {tls_text!r} is not 1 or 0")
        starttls = tls_text in ("1", "true", "yes") if tls_text else port != 25
        sender = (env.get("SOCIALPULSE_SMTP_FROM") or f"socialpulse@{host}").strip()
        if not _EMAIL.match(sender):
            raise InvalidInput(f"SOCIALPULSE_SMTP_FROM: {sender!r} is not an e-mail address")
        return cls(host, port, env.get("SOCIALPULSE_SMTP_USER") or None,
                   env.get("SOCIALPULSE_SMTP_PASSWORD") or None, sender, starttls)


def due_period(cadence: str, today: date) -> tuple[str, DateRange]:
    """The last complete week (ISO, Monday-Sunday) or month before ``today``, and its key."""
    if cadence == "weekly":
        start = today - timedelta(days=today.weekday() + 7)
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}", DateRange(start, start + timedelta(days=6))
    if cadence == "monthly":
        end = today.replace(day=1) - timedelta(days=1)
        return f"{end.year}-{end.month:02d}", DateRange(end.replace(day=1), end)
    raise InvalidInput(f"--cadence: {cadence!r} is not weekly or monthly")


def parse_recipients(text: str | Sequence[str]) -> tuple[str, ...]:
    parts = text.split(",") if isinstance(text, str) else [p for t in text for p in t.split(",")]
    out = []
    for p in (x.strip() for x in parts):
        if not p:
            continue
        if not _EMAIL.match(p):
            raise InvalidInput(f"--to: {p!r} is not an e-mail address")
        out.append(p)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class RunResult:
    schedule_id: int
    period_key: str
    status: str  # delivered | already delivered | failed | outcome unknown
    path: str | None = None
    emailed_to: tuple[str, ...] = ()
    message: str = ""


class ReportBuilder(Protocol):
    def build(self, workspace: Workspace, period: DateRange, today: date | None = None
              ) -> Any: ...


class _Overlay:
    """The App's services with one of them replaced (a run with its own SMTP settings)."""

    def __init__(self, base: Any, **replaced: Any) -> None:
        self._base = base
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


class ReportSchedules:
    """Add, list and remove schedules; deliver what is due through the job queue."""

    def __init__(self, repo: ReportSchedulesRepo, reports: ReportBuilder,
                 workspaces: Callable[[], list[Workspace]], jobs: JobService,
                 smtp: SmtpConfig | None, services: Any) -> None:
        self.repo = repo
        self.reports = reports
        self.workspaces = workspaces
        self.jobs = jobs
        self.smtp = smtp
        self.services = services

    def add(self, actor: Actor, workspace: Workspace, cadence: str, fmt: str, folder: Path,
            recipients: str | Sequence[str] = ()) -> Schedule:
        authorize(actor, Action.REPORTS_EDIT, workspace.slug)
        c = cadence.strip().lower()
        if c not in CADENCES:
            raise InvalidInput(f"--cadence: {cadence!r} is not weekly or monthly")
        f = parse_format(fmt)
        folder = folder.expanduser().resolve()
        if folder.exists() and not folder.is_dir():
            raise InvalidInput(f"--folder {folder}: exists and is not a folder")
        return self.repo.add_schedule(workspace.id, c, f.value, str(folder),
                                      parse_recipients(recipients))

    def schedules(self, workspace: Workspace | None = None) -> list[Schedule]:
        return self.repo.schedules(workspace.id if workspace else None)

    def remove(self, actor: Actor, workspace: Workspace, schedule_id: int) -> None:
        authorize(actor, Action.REPORTS_EDIT, workspace.slug)
        self.repo.remove_schedule(workspace.id, schedule_id)

    def run_due(self, actor: Actor, today: date, smtp: SmtpConfig | None
                ) -> builtins.list[RunResult]:
        """Deliver every schedule's last complete period that was not delivered yet: queue
        one job per (schedule, period), run them here, answer what became of each."""
        authorize(actor, Action.REPORTS_SEND)
        by_id = {w.id: w for w in self.workspaces()}
        results: dict[int, RunResult] = {}
        queued: dict[int, tuple[Schedule, str, Job]] = {}
        for sch in self.repo.schedules():
            ws = by_id.get(sch.workspace_id)
            if ws is None:
                continue
            key, _ = due_period(sch.cadence, today)
            if self.repo.delivered(sch.id, key):
                results[sch.id] = RunResult(sch.id, key, "already delivered")
                continue
            job = self.jobs.enqueue(actor, DELIVER, {
                "schedule": sch.id, "workspace": ws.slug, "period": key,
                "today": today.isoformat()}, key=_job_key(sch, key), workspace=ws.slug)
            if job.state is JobState.DONE:
                results[sch.id] = RunResult(sch.id, key, "already delivered")
                continue
            if job.state in (JobState.QUEUED, JobState.FAILED):  # a failed try: again now
                self.jobs.retry_now(actor, job.id)
            queued[sch.id] = (sch, key, job)
        here = _Overlay(self.services, report_schedules=self._with_smtp(smtp))
        runner = self.jobs.runner(here, worker_name("run-due"))
        runner.drain(ids=[job.id for _, _, job in queued.values()], kinds=[DELIVER])
        for sid, (sch, key, job) in queued.items():
            results[sid] = _result(sch, key, self._settled(job.id))
        return [results[s.id] for s in self.repo.schedules() if s.id in results]

    def _with_smtp(self, smtp: SmtpConfig | None) -> ReportSchedules:
        return ReportSchedules(self.repo, self.reports, self.workspaces, self.jobs, smtp,
                               self.services)

    def _settled(self, job_id: int) -> Job:
        """The job once this try is over: a job another worker holds is waited for."""
        deadline = time.monotonic() + WAIT_FOR_WORKER_S
        while True:
            job = self.jobs.get(job_id)
            if job.state is not JobState.RUNNING or time.monotonic() > deadline:
                return job
            time.sleep(0.2)

    def deliver(self, ctx: JobContext) -> dict[str, Any]:
        """The ``report.deliver`` job: render the period's report, write it to the folder
        (retryable: atomic), e-mail it (from here on a lost worker means outcome unknown)
        and record the delivery."""
        p = ctx.payload
        sch = self.repo.schedule(int(p["schedule"]))
        if sch is None:
            raise NotFound(f"schedule {p['schedule']}: removed before it was delivered")
        ws = next((w for w in self.workspaces() if w.id == sch.workspace_id), None)
        if ws is None:
            raise NotFound(f"schedule {sch.id}: its workspace was removed")
        today = date.fromisoformat(p["today"])
        key, period = due_period(sch.cadence, today)
        ctx.progress("rendering the report", 0, 3)
        fmt = ReportFormat(sch.format)
        report = self.reports.build(ws, period, today)
        data = render(report, fmt)
        folder = Path(sch.folder)
        ctx.progress("writing the file", 1, 3)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{ws.slug}-{sch.cadence}-{key}.{fmt.value}"
            write_atomic(path, data)
        except OSError as exc:
            raise InvalidInput(f"schedule {sch.id}: cannot write to {folder} "
                               f"({exc.strerror})") from None
        sent: tuple[str, ...] = ()
        if sch.recipients and self.smtp is not None:
            ctx.acting_outside()
            ctx.progress("sending the e-mail", 2, 3)
            send_report(self.smtp, sch.recipients, report.title, "\n".join(
                [report.title, "", *(f"- {s}" for s in report.summary), "",
                 f"The full report is attached ({path.name})."]), path.name, data, fmt)
            sent = sch.recipients
        self.repo.record_delivery(sch.id, key, str(path), ",".join(sent))
        note = "" if sent or not sch.recipients else "SMTP not configured: not e-mailed"
        return {"path": str(path), "emailed_to": list(sent), "message": note}


def _job_key(sch: Schedule, period_key: str) -> str:
    """One job per schedule and period (the schedule's creation time keeps a new schedule
    that reuses a removed one's id from finding the old one's jobs)."""
    return f"report:{sch.id}:{sch.created_at.timestamp():.6f}:{period_key}"


def _result(sch: Schedule, key: str, job: Job) -> RunResult:
    if job.state is JobState.DONE:
        r = job.result or {}
        return RunResult(sch.id, key, "delivered", r.get("path"), tuple(r.get("emailed_to", ())),
                         r.get("message", ""))
    if job.state is JobState.UNKNOWN:
        return RunResult(sch.id, key, "outcome unknown", message=(
            f"job {job.id}: the worker stopped while e-mailing the report; ask the recipients "
            f"whether it arrived, then `socialpulse worker --retry {job.id}` sends it again"))
    if job.state is JobState.RUNNING:
        return RunResult(sch.id, key, "failed", message=(
            f"job {job.id} is still running in another worker; run again later"))
    return RunResult(sch.id, key, "failed", message=job.error or "failed")


def _describe(payload: Mapping[str, Any]) -> str:
    return f"schedule {payload.get('schedule')}, {payload.get('period')}"


def _summary(result: Mapping[str, Any]) -> str:
    sent = result.get("emailed_to") or []
    return f"wrote {result.get('path')}" + (f", e-mailed to {', '.join(sent)}" if sent else "")


register_kind(JobKind(
    DELIVER, "scheduled report",
    lambda ctx: ctx.services.report_schedules.deliver(ctx), Action.REPORTS_SEND,
    max_attempts=3, backoff=timedelta(minutes=5), on_expiry=OnExpiry.UNKNOWN_ONCE_OUTSIDE,
    retry_errors=True, describe=_describe, summary=_summary))


def send_report(smtp: SmtpConfig, to: Sequence[str], subject: str, body: str, filename: str,
                data: bytes, fmt: ReportFormat) -> None:
    """Send one message with the report attached."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(to)
    msg.set_content(body)
    maintype, _, subtype = fmt.media_type.split(";")[0].partition("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as s:
            if smtp.starttls:
                s.starttls(context=ssl.create_default_context())
            if smtp.user:
                s.login(smtp.user, smtp.password or "")
            s.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        # the message names the server, never the credentials
        raise InvalidInput(f"SMTP {smtp.host}:{smtp.port}: could not send the report "
                           f"({type(exc).__name__}: {str(exc)[:200]})") from None
