"""Scheduled reports: weekly or monthly, written to a folder and e-mailed when SMTP is set.

`run_due(today)` delivers, for every schedule, the last *complete* period before ``today`` (last
ISO week for weekly, last calendar month for monthly). It is idempotent: a delivery row unique on
(schedule, period) is claimed before anything is written, so re-running (from cron, twice, or by
two processes at once) never writes or sends a period twice. Files are written atomically (temp
file + fsync + rename). A failure releases the claim, so the next run tries that period again.

SMTP settings come from the environment at the edge (`SmtpConfig.from_env`): the password is
never logged, printed or stored.
"""

from __future__ import annotations

import builtins
import logging
import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from socialpulse.adapters.store.reports_tables import ReportsRepo, Schedule
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.report_render import ReportFormat, parse_format, render, write_atomic

if TYPE_CHECKING:
    from socialpulse.bootstrap import App

log = logging.getLogger("socialpulse.reports")

CADENCES = ("weekly", "monthly")
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
    status: str  # delivered | already delivered | failed
    path: str | None = None
    emailed_to: tuple[str, ...] = ()
    message: str = ""


class ReportSchedules:
    def __init__(self, app: App) -> None:
        self.app = app
        self.repo = ReportsRepo(app.store)

    def add(self, workspace: Workspace, cadence: str, fmt: str, folder: Path,
            recipients: str | Sequence[str] = ()) -> Schedule:
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

    def remove(self, workspace: Workspace, schedule_id: int) -> None:
        self.repo.remove_schedule(workspace.id, schedule_id)

    def run_due(self, today: date, smtp: SmtpConfig | None) -> builtins.list[RunResult]:
        """Deliver every schedule's last complete period that was not delivered yet."""
        by_id = {w.id: w for w in self.app.store.workspaces()}
        results = []
        for sch in self.repo.schedules():
            ws = by_id.get(sch.workspace_id)
            if ws is None:
                continue
            key, period = due_period(sch.cadence, today)
            if not self.repo.claim(sch.id, key):
                results.append(RunResult(sch.id, key, "already delivered"))
                continue
            try:
                res = self._deliver(ws, sch, key, period, today, smtp)
            except Exception as exc:
                self.repo.release(sch.id, key)
                msg = exc.message if hasattr(exc, "message") else f"{type(exc).__name__}: {exc}"
                log.warning("schedule %s, %s: %s", sch.id, key, msg)
                results.append(RunResult(sch.id, key, "failed", message=str(msg)))
                continue
            results.append(res)
        return results

    def _deliver(self, ws: Workspace, sch: Schedule, key: str, period: DateRange, today: date,
                 smtp: SmtpConfig | None) -> RunResult:
        fmt = ReportFormat(sch.format)
        report = self.app.reports.build(ws, period, today)
        data = render(report, fmt)
        folder = Path(sch.folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{ws.slug}-{sch.cadence}-{key}.{fmt.value}"
            write_atomic(path, data)
        except OSError as exc:
            raise InvalidInput(f"schedule {sch.id}: cannot write to {folder} "
                               f"({exc.strerror})") from None
        sent: tuple[str, ...] = ()
        if sch.recipients and smtp is not None:
            send_report(smtp, sch.recipients, report.title, "\n".join(
                [report.title, "", *(f"- {s}" for s in report.summary), "",
                 f"The full report is attached ({path.name})."]), path.name, data, fmt)
            sent = sch.recipients
        self.repo.finish(sch.id, key, str(path), ",".join(sent))
        return RunResult(sch.id, key, "delivered", str(path), sent,
                         "" if sent or not sch.recipients else "SMTP not configured: not e-mailed")


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
