"""Alert rules that reach people: evaluated by the worker as mentions arrive, delivered by
e-mail and webhook, acknowledged from the message's link.

* ``alerts.evaluate`` (a job per workspace, queued after every ingest batch that stored
  mentions): each rule of the workspace looks at its brand's mentions of the last
  ``window_minutes`` (`domain/listening/rules.evaluate`). A firing is stored once per rule and
  window-long bucket (re-running the evaluation adds nothing) and then the rule keeps quiet for
  its cool-down. Safe to repeat, so a lost worker means "run it again".
* ``alerts.send`` (one job per firing and channel, keyed by both, so queueing twice is one
  job): sends the e-mail or posts the webhook. It acts outside, so it says so
  (`JobContext.acting_outside`) right before sending, and a worker lost after that leaves
  "outcome unknown" for a person rather than a second message. Inside the workspace's quiet
  hours (its time zone) the job is queued for their end instead of now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, MissingData, NotFound
from socialpulse.domain.jobs import Job, JobState, OnExpiry
from socialpulse.domain.listening.query import tokenize_text
from socialpulse.domain.listening.rules import (
    AlertRule,
    RuleSpec,
    WindowMention,
    check_rule,
    evaluate,
    quiet_hours_end,
)
from socialpulse.domain.listening.rules_records import AlertEvent
from socialpulse.domain.listening.selection import MentionSelection
from socialpulse.domain.models import Brand, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.alert_rules_messages import compose, details_of
from socialpulse.services.jobs import JobContext, JobKind, JobService, register_kind
from socialpulse.services.listening_live_ports import LiveTables, MailSender, WebhookSender
from socialpulse.services.ports import MentionQueries
from socialpulse.services.report_schedules import parse_recipients

EVALUATE, SEND = "alerts.evaluate", "alerts.send"
EVALUATOR = Actor.system("alerts")
#: how many of a window's mentions an evaluation reads (the newest); a rule needs far fewer
MAX_WINDOW_MENTIONS = 20_000
BASELINE_DAYS = 7


class ListeningReads(Protocol):
    """What the rules read of listening (`ListeningService`)."""

    queries: MentionQueries

    def brand(self, ws: Workspace, name: str) -> Brand: ...

    def brands(self, ws: Workspace) -> Sequence[Any]: ...


@dataclass(frozen=True)
class RuleView:
    """A rule as people see it: with its brand's name."""

    rule: AlertRule
    brand: str

    def as_dict(self) -> dict[str, Any]:
        s = self.rule.spec
        return {"id": self.rule.id, "brand": self.brand, "kind": s.kind,
                "threshold": s.threshold, "min_volume": s.min_volume,
                "window_minutes": s.window_minutes, "keyword": s.keyword,
                "cooldown_minutes": s.cooldown_minutes,
                "quiet_hours": (f"{s.quiet_start:%H:%M}-{s.quiet_end:%H:%M}"
                                if s.quiet_start and s.quiet_end else None),
                "emails": list(s.emails), "webhook": bool(s.webhook_url),
                "last_fired_at": self.rule.last_fired_at}


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_webhook(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(f"--webhook: {url[:60]!r} is not an https:// address")
    return url.strip()


class AlertRules:
    """Rules per brand; evaluating them; delivering and acknowledging what they fire."""

    def __init__(self, tables: LiveTables, listening: ListeningReads, jobs: JobService,
                 workspaces: Callable[[], list[Workspace]], mail: MailSender | None,
                 webhook: WebhookSender, base_url: str,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.tables = tables
        self.listening = listening
        self.jobs = jobs
        self.workspaces = workspaces
        self.mail = mail
        self.webhook = webhook
        self.base_url = base_url.rstrip("/")
        self.clock = clock

    # -- rules ---------------------------------------------------------------------------------

    def add_rule(self, actor: Actor, ws: Workspace, brand: str, spec: RuleSpec) -> RuleView:
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        b = self.listening.brand(ws, brand)
        emails = parse_recipients(list(spec.emails)) if spec.emails else ()
        checked = check_rule(RuleSpec(
            spec.kind.strip().lower(), spec.threshold, spec.min_volume, spec.window_minutes,
            spec.keyword, spec.cooldown_minutes, spec.quiet_start, spec.quiet_end, emails,
            check_webhook(spec.webhook_url)))
        return RuleView(self.tables.add_rule(ws.id, b.id, checked, self.clock()), b.name)

    def rules(self, ws: Workspace) -> list[RuleView]:
        names = {b.id: b.name for b in self._brands(ws)}
        return [RuleView(r, names.get(r.brand_id, str(r.brand_id)))
                for r in self.tables.rules(ws.id)]

    def remove_rule(self, actor: Actor, ws: Workspace, rule_id: int) -> RuleView:
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        names = {b.id: b.name for b in self._brands(ws)}
        r = self.tables.remove_rule(ws.id, rule_id)
        return RuleView(r, names.get(r.brand_id, str(r.brand_id)))

    def _brands(self, ws: Workspace) -> list[Brand]:
        return [bq.brand for bq in self.listening.brands(ws)]

    def events(self, ws: Workspace, limit: int = 50) -> list[AlertEvent]:
        return self.tables.events(ws.id, limit)

    # -- evaluation ----------------------------------------------------------------------------

    def request_evaluation(self, ws: Workspace) -> Job | None:
        """Queue an evaluation that will see what was just stored: the queued one of this
        moment when there is one (it has not read yet), else a new one."""
        if not self.tables.rules(ws.id):
            return None
        base = f"alerts-eval:{ws.id}:{int(self.clock().timestamp())}"
        key = base
        for _ in range(20):
            job = self.jobs.enqueue(EVALUATOR, EVALUATE, {"workspace": ws.slug}, key=key)
            if job.state is JobState.QUEUED:
                return job
            key = f"{base}:{job.id}"  # it already ran or is running: it may not see the batch
        return self.jobs.enqueue(EVALUATOR, EVALUATE, {"workspace": ws.slug})

    def evaluate(self, actor: Actor, ws: Workspace) -> list[AlertEvent]:
        """Evaluate every rule of the workspace now; store and deliver what fires."""
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        now = self.clock()
        fired = []
        brands = {b.id: b for b in self._brands(ws)}
        for rule in self.tables.rules(ws.id):
            brand = brands.get(rule.brand_id)
            if brand is None:
                continue
            window = self._window(ws, rule, now)
            usual = self._usual(ws, rule, now)
            words = frozenset(tokenize_text(brand.name)) | {"".join(tokenize_text(brand.name))}
            firing = evaluate(rule, brand.name, now, window, usual, words)
            if firing is None:
                continue
            event = self.tables.record_firing(rule.id, firing.bucket, firing.title,
                                              details_of(firing, brand.name, rule), now)
            if event is not None:
                fired.append(event)
                self._queue_delivery(ws, rule, event, now)
        return fired

    def _window(self, ws: Workspace, rule: AlertRule, now: datetime) -> list[WindowMention]:
        zone = ZoneInfo(ws.timezone)
        start = now - timedelta(minutes=rule.spec.window_minutes)
        days = DateRange(start.astimezone(zone).date(), now.astimezone(zone).date())
        _, rows = self.listening.queries.mentions(
            MentionSelection(ws.id, days, rule.brand_id), MAX_WINDOW_MENTIONS, 0)
        out = []
        for r in rows:
            at = r["published_at"]
            at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
            if start < at <= now:
                out.append(WindowMention(r["mention_id"], at, r["author"] or "",
                                         r["author_followers"], r["text"] or "",
                                         r["sentiment"] or "", r["url"] or "",
                                         r["network"] or ""))
        return out

    def _usual(self, ws: Workspace, rule: AlertRule, now: datetime) -> float:
        """Mentions per window-long stretch over the previous full days (volume rules)."""
        if rule.spec.kind != "volume":
            return 0.0
        today = now.astimezone(ZoneInfo(ws.timezone)).date()
        days = DateRange(today - timedelta(days=BASELINE_DAYS), today - timedelta(days=1))
        rows = self.listening.queries.day_counts(MentionSelection(ws.id, days, rule.brand_id))
        total = sum(int(r["volume"]) for r in rows)
        return total / (BASELINE_DAYS * 24 * 60 / rule.spec.window_minutes)

    # -- delivery ------------------------------------------------------------------------------

    def _queue_delivery(self, ws: Workspace, rule: AlertRule, event: AlertEvent,
                        now: datetime) -> None:
        zone = ZoneInfo(ws.timezone)
        end = quiet_hours_end(now.astimezone(zone), rule.spec.quiet_start, rule.spec.quiet_end)
        run_at = end.astimezone(UTC) if end is not None else now
        channels = (["email"] if rule.spec.emails else []) + \
            (["webhook"] if rule.spec.webhook_url else [])
        for channel in channels:
            self.jobs.enqueue(EVALUATOR, SEND, {"event": event.id, "channel": channel},
                              key=f"alert-send:{event.id}:{channel}", run_at=run_at)

    def ack_link(self, event: AlertEvent) -> str:
        return f"{self.base_url}/alerts/ack/{event.token}"

    def send(self, ctx: JobContext) -> Mapping[str, Any]:
        """Deliver one firing on one channel (the ``alerts.send`` job)."""
        event = self.tables.event(int(ctx.payload["event"]))
        if event is None:
            return {"skipped": "the alert's rule was removed"}
        channel = str(ctx.payload["channel"])
        rule = next((r for r in self.tables.rules(event.workspace_id) if r.id == event.rule_id),
                    None)
        if rule is None:
            return {"skipped": "the alert's rule was removed"}
        if event.status == "acknowledged":
            return {"skipped": "already acknowledged"}
        subject, text = compose(event, self.ack_link(event))
        if channel == "email":
            if self.mail is None:
                raise MissingData("e-mail alerts need an SMTP server: set SOCIALPULSE_SMTP_URL "
                                  "(smtp://host:port) and SOCIALPULSE_MAIL_FROM")
            ctx.acting_outside()
            self.mail.send(rule.spec.emails, subject, text)
            return {"sent": "email", "to": len(rule.spec.emails), "event": event.id}
        if not rule.spec.webhook_url:
            return {"skipped": "the rule has no webhook any more"}
        ctx.acting_outside()
        self.webhook.post(rule.spec.webhook_url, f"*{subject}*\n{text}")
        return {"sent": "webhook", "event": event.id}

    # -- acknowledging -------------------------------------------------------------------------

    def by_token(self, token: str) -> tuple[Workspace, AlertEvent]:
        event = self.tables.event_by_token(token) if 10 <= len(token) <= 64 else None
        if event is None:
            raise NotFound("alert not found: the link is wrong or the alert's rule was removed")
        ws = next((w for w in self.workspaces() if w.id == event.workspace_id), None)
        if ws is None:
            raise NotFound("alert not found: its workspace was removed")
        return ws, event

    def acknowledge(self, actor: Actor, token: str) -> AlertEvent:
        """Acknowledge from a message's link (idempotent); queued deliveries then skip."""
        ws, event = self.by_token(token)
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        return self.tables.acknowledge(event.id, self.clock())

    def acknowledge_id(self, actor: Actor, ws: Workspace, event_id: int) -> AlertEvent:
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        event = self.tables.event(event_id)
        if event is None or event.workspace_id != ws.id:
            raise NotFound(f"alert {event_id} not found in workspace {ws.slug!r}")
        return self.tables.acknowledge(event.id, self.clock())


def _workspace(ctx: JobContext) -> Workspace:
    ws: Workspace = ctx.services.workspaces.get(str(ctx.payload["workspace"]))
    return ws


def _evaluate_job(ctx: JobContext) -> Mapping[str, Any]:
    fired = ctx.services.alert_rules.evaluate(EVALUATOR, _workspace(ctx))
    return {"fired": len(fired), "titles": [e.title for e in fired][:5]}


def _firing_words(r: Mapping[str, Any]) -> str:
    return f"{r.get('fired', 0)} alert(s) fired" if "fired" in r else ""


register_kind(JobKind(
    EVALUATE, "alert rules evaluation", _evaluate_job, Action.LISTENING_EDIT, max_attempts=3,
    backoff=timedelta(seconds=10), on_expiry=OnExpiry.RETRY, retry_errors=False,
    describe=lambda p: f"workspace {p.get('workspace')}", summary=_firing_words))
register_kind(JobKind(
    SEND, "alert delivery", lambda ctx: ctx.services.alert_rules.send(ctx),
    Action.LISTENING_EDIT, max_attempts=5, backoff=timedelta(seconds=30),
    on_expiry=OnExpiry.UNKNOWN_ONCE_OUTSIDE, retry_errors=True,
    describe=lambda p: f"alert {p.get('event')} by {p.get('channel')}",
    summary=lambda r: (f"sent by {r['sent']}" if "sent" in r else str(r.get("skipped", "")))))
