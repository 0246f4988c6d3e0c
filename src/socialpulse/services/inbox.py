"""The unified inbox's use cases: receive messages, list and filter conversations (keyset
pages), claim, assign (by hand or round robin), change status, tag, note, mark answered
elsewhere; the workspace's SLA and the care metrics measured from the stored conversations.

Writes take the acting `Actor` first: managing conversations needs `inbox.manage`, marking one
answered needs `inbox.reply`, storing messages (a sync, an import) needs `data.import`, the
SLA is a workspace setting (`workspace.edit`). Reads take none.

Sending replies is publishing's outbox (one sender, exactly once); the inbox records our
message when a reply is stored like any other message (``ours``), which answers the
conversation.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import Conflict, InvalidInput
from socialpulse.domain.inbox import (
    Conversation,
    InboxFilter,
    Message,
    Note,
    Priority,
    Status,
    check_text,
    cursor_text,
    parse_note,
    parse_tag,
    priority,
)
from socialpulse.domain.inbox_metrics import CareFigures, care_figures
from socialpulse.domain.inbox_sla import SlaPolicy, due_at, parse_hours
from socialpulse.domain.models import Workspace
from socialpulse.services.inbox_ports import InboxRepository

Clock = Callable[[], datetime]
#: a claim older than this no longer blocks another agent (they left without releasing it)
CLAIM_MINUTES = 15
MAX_PAGE = 200


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Row:
    """A conversation as a list shows it: with its SLA due instant and whether it is late."""

    conversation: Conversation
    due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None  # None: this is the last page


@dataclass(frozen=True)
class Thread:
    """One conversation in full: messages, notes, why it has its priority, its due instant."""

    conversation: Conversation
    messages: list[Message]
    notes: list[Note]
    priority: Priority
    due: datetime | None


def when_text(value: datetime | None) -> str:
    """An instant as every inbox answer writes it ("" for none)."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else ""


def row_record(r: Row, now: datetime) -> dict[str, Any]:
    """A conversation as the list shows it (CLI and API)."""
    c = r.conversation
    waited = int((now - c.first_message_at).total_seconds() // 60)
    return {"id": c.id, "network": c.network, "account": c.account, "author": c.author,
            "kind": c.kind.value, "status": c.status.value, "assignee": c.assignee or "",
            "priority": c.priority, "language": c.language, "sentiment": c.sentiment,
            "tags": list(c.tags), "answered": c.answered,
            "waiting": f"{waited // 60}h{waited % 60:02d}" if not c.answered else "answered",
            "due": when_text(r.due) + (" (late)" if r.overdue else ""), "preview": c.preview[:60],
            "claimed_by": c.claimed_by or ""}


def _name(text: str, what: str) -> str:
    name = check_text(text, what).strip()
    if not name or len(name) > 200:
        raise InvalidInput(f"{what}: give a name of 1-200 characters")
    return name


def parse_holidays(text: str) -> frozenset[date]:
    """Holidays from ``"2026-12-24, 2026-12-25"`` (local dates of the workspace)."""
    out = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            out.add(date.fromisoformat(part))
        except ValueError:
            raise InvalidInput(f"sla holidays: {part[:20]!r} is not a date (YYYY-MM-DD)"
                               ) from None
    return frozenset(out)


class InboxService:
    def __init__(self, repo: InboxRepository, clock: Clock = utc_now) -> None:
        self.repo = repo
        self.clock = clock

    # -- messages ------------------------------------------------------------------------------

    def receive(self, actor: Actor, ws: Workspace, messages: Sequence[Message]) -> list[int]:
        """Store messages (a sync, an import) threaded into conversations; re-running adds
        nothing. The ids of the conversations that changed."""
        authorize(actor, Action.DATA_IMPORT, ws.slug)
        return self.repo.add_messages(ws.id, messages)

    # -- reading -------------------------------------------------------------------------------

    def page(self, ws: Workspace, f: InboxFilter, limit: int = 50) -> Page:
        """One page of conversations, newest activity first."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit: {limit}; use 1 to {MAX_PAGE}")
        for name in ("network", "account", "sentiment", "language", "assignee", "tag"):
            check_text(getattr(f, name) or "", name)
        convs = self.repo.page(ws.id, f, limit + 1)
        more = len(convs) > limit
        convs = convs[:limit]
        policy, zone, now = self.sla(ws), _zone(ws), self.clock()
        rows = []
        for c in convs:
            due = due_at(policy, zone, c.first_message_at) if policy else None
            rows.append(Row(c, due, due is not None and not c.answered and due < now))
        last = convs[-1] if convs and more else None
        return Page(rows, cursor_text(last.last_message_at, last.id) if last else None)

    def thread(self, ws: Workspace, conversation_id: int) -> Thread:
        conv = self.repo.conversation(ws.id, conversation_id)
        messages = self.repo.messages(conv.id)
        theirs = [m for m in messages if not m.ours]
        prio = priority(conv.sentiment, max((m.author_followers for m in theirs), default=0),
                        [m.text for m in theirs])
        policy = self.sla(ws)
        due = due_at(policy, _zone(ws), conv.first_message_at) if policy else None
        return Thread(conv, messages, self.repo.notes(conv.id), prio, due)

    # -- managing ------------------------------------------------------------------------------

    def claim(self, actor: Actor, ws: Workspace, conversation_id: int) -> Conversation:
        """Take a conversation to work on it; if another agent is on it (claimed in the last
        `CLAIM_MINUTES`), a Conflict naming them. Claiming is atomic."""
        authorize(actor, Action.INBOX_MANAGE, ws.slug)
        now = self.clock()
        conv = self.repo.claim(ws.id, conversation_id, actor.name, now,
                               now - timedelta(minutes=CLAIM_MINUTES))
        if conv.claimed_by != actor.name:
            since = f"{conv.claimed_at:%H:%M} UTC" if conv.claimed_at else "just now"
            raise Conflict(f"conversation {conversation_id}: {conv.claimed_by} is on it "
                           f"(since {since})")
        return conv

    def release(self, actor: Actor, ws: Workspace, conversation_id: int) -> None:
        authorize(actor, Action.INBOX_MANAGE, ws.slug)
        self.repo.conversation(ws.id, conversation_id)
        self.repo.release(ws.id, conversation_id, actor.name)

    def assign(self, actor: Actor, ws: Workspace, ids: Sequence[int], agent: str | None
               ) -> builtins.list[Conversation]:
        """Assign conversations to an agent (None: unassign). Every id is checked first."""
        authorize(actor, Action.INBOX_MANAGE, ws.slug)
        name = None if agent is None else _name(agent, "assignee")
        for cid in ids:
            self.repo.conversation(ws.id, cid)
        return [self.repo.change(ws.id, cid, assignee=name) for cid in ids]

    def assign_round_robin(self, actor: Actor, ws: Workspace, ids: Sequence[int],
                           agents: Sequence[str]) -> builtins.list[Conversation]:
        """Hand the conversations to the agents in turn, continuing from the last one handed
        a conversation in this workspace."""
        authorize(actor, Action.INBOX_MANAGE, ws.slug)
        names = list(dict.fromkeys(_name(a, "agents") for a in agents))
        if not names:
            raise InvalidInput("agents: name at least one agent for round robin")
        for cid in ids:
            self.repo.conversation(ws.id, cid)
        return [self.repo.change(ws.id, cid, assignee=self.repo.next_agent(ws.id, names))
                for cid in ids]

    def set_status(self, actor: Actor, ws: Workspace, ids: Sequence[int], status: Status
                   ) -> builtins.list[Conversation]:
        """Open, pending or closed; closing records when and by whom (handled per agent)."""
        authorize(actor, Action.INBOX_MANAGE, ws.slug)
        for cid in ids:
            self.repo.conversation(ws.id, cid)
        closed = status is Status.CLOSED
        out = []
        for cid in ids:
            if self.repo.conversation(ws.id, cid).status is status:
                out.append(self.repo.conversation(ws.id, cid))  # re-running changes nothing
                continue
            out.append(self.repo.change(
                ws.id, cid, status=status.value, closed_at=self.clock() if closed else None,
                closed_by=actor.name if closed else None))
        return out

    def tag(self, actor: Actor, ws: Workspace, conversation_id: int, tag: str, on: bool = True
            ) -> Conversation:
        authorize(actor, Action.INBOX_MANAGE, ws.slug)
        return self.repo.set_tag(ws.id, conversation_id, parse_tag(tag), on)

    def note(self, actor: Actor, ws: Workspace, conversation_id: int, text: str) -> Note:
        authorize(actor, Action.INBOX_MANAGE, ws.slug)
        return self.repo.add_note(ws.id, conversation_id, actor.name, parse_note(text),
                                  self.clock())

    def answered_elsewhere(self, actor: Actor, ws: Workspace, conversation_id: int
                           ) -> Conversation:
        """Someone answered outside socialpulse: the conversation counts as answered, at the
        moment it is marked (the earliest instant we know of) unless a reply is already
        stored."""
        authorize(actor, Action.INBOX_REPLY, ws.slug)
        conv = self.repo.conversation(ws.id, conversation_id)
        if conv.first_response_at is not None:
            return self.repo.change(ws.id, conv.id, answered_elsewhere=True)
        return self.repo.change(ws.id, conv.id, answered_elsewhere=True,
                                first_response_at=self.clock(), responder=actor.name)

    # -- service levels and metrics -----------------------------------------------------------

    def set_sla(self, actor: Actor, ws: Workspace, minutes: int | None, hours: str = "",
                holidays: str = "") -> SlaPolicy | None:
        """Set the workspace's SLA (None: no SLA). Checked whole before anything is stored."""
        authorize(actor, Action.WORKSPACE_EDIT, ws.slug)
        hours = hours.strip() or "mon-fri 09:00-17:00"
        policy = None if minutes is None else SlaPolicy(minutes, parse_hours(hours),
                                                        parse_holidays(holidays))
        self.repo.save_settings(ws.id, minutes, hours, holidays.strip())
        return policy

    def sla(self, ws: Workspace) -> SlaPolicy | None:
        minutes, hours, holidays = self.repo.settings(ws.id)
        if minutes is None:
            return None
        return SlaPolicy(minutes, parse_hours(hours), parse_holidays(holidays))

    def care(self, ws: Workspace, start: datetime, end: datetime) -> CareFigures:
        """The care metrics of the conversations that began in [start, end)."""
        if end <= start:
            raise InvalidInput("period: the end must be after the start")
        convs = self.repo.between(ws.id, start, end)
        policy, zone = self.sla(ws), _zone(ws)
        due = {c.id: due_at(policy, zone, c.first_message_at) for c in convs} if policy else {}
        return care_figures(convs, due, self.clock())


def _zone(ws: Workspace) -> tzinfo:
    try:
        return ZoneInfo(ws.timezone)
    except (KeyError, ValueError):
        return UTC
