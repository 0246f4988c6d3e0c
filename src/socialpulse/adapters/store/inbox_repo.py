"""The inbox in the app database (`services/inbox_ports.InboxRepository`).

Every method is one short transaction. Messages are stored once (their natural key is the
network, the account and the network's id), so a sync that reads the same notifications twice
adds nothing. Claiming is one conditional UPDATE: of two agents claiming at once exactly one
row count is 1, and the other reads who holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from socialpulse.domain.errors import NotFound
from socialpulse.domain.inbox import (
    UNASSIGNED,
    Conversation,
    InboxFilter,
    Message,
    MessageKind,
    Note,
    Status,
    priority,
)

from . import Store
from .inbox_tables import ConversationRow, InboxSettingsRow, MessageRow, NoteRow, TagRow


def _aware(dt: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def _conversation(r: Any, tags: Sequence[str] = ()) -> Conversation:
    """From an ORM row or a Core row of the table (the list reads plain rows: no ORM
    bookkeeping per row)."""
    return Conversation(
        id=r.id, workspace_id=r.workspace_id, network=r.network, account=r.account,
        root_id=r.root_id, kind=MessageKind(r.kind), author=r.author, preview=r.preview,
        status=Status(r.status), first_message_at=_aware(r.first_message_at) or r.first_message_at,
        last_message_at=_aware(r.last_message_at) or r.last_message_at, priority=r.priority,
        language=r.language, sentiment=r.sentiment, assignee=r.assignee,
        claimed_by=r.claimed_by, claimed_at=_aware(r.claimed_at),
        first_response_at=_aware(r.first_response_at), responder=r.responder,
        answered_elsewhere=r.answered_elsewhere, closed_at=_aware(r.closed_at),
        closed_by=r.closed_by, tags=tuple(sorted(tags)))


def _message(r: MessageRow) -> Message:
    return Message(r.network, r.account, r.external_id, MessageKind(r.kind), r.author, r.text,
                   _aware(r.created_at) or r.created_at, r.in_reply_to, r.author_followers,
                   r.language, r.sentiment, r.ours, r.url)


def _filtered(workspace_id: int, f: InboxFilter) -> Any:
    c = ConversationRow
    q = select(ConversationRow.__table__).where(c.workspace_id == workspace_id)
    for column, value in ((c.network, f.network), (c.account, f.account),
                          (c.sentiment, f.sentiment), (c.language, f.language)):
        if value is not None:
            q = q.where(column == value)
    if f.status is not None:
        q = q.where(c.status == f.status.value)
    if f.assignee == UNASSIGNED:
        q = q.where(c.assignee.is_(None))
    elif f.assignee is not None:
        q = q.where(c.assignee == f.assignee)
    if f.tag is not None:
        q = q.where(exists().where(TagRow.conversation_id == c.id, TagRow.tag == f.tag))
    if f.unanswered:
        q = q.where(c.first_response_at.is_(None))
    if f.waiting_since is not None:
        q = q.where(c.first_message_at <= _utc(f.waiting_since))
    if f.after is not None:
        at, ident = _utc(f.after[0]), f.after[1]
        q = q.where(or_(c.last_message_at < at, and_(c.last_message_at == at, c.id < ident)))
    return q.order_by(c.last_message_at.desc(), c.id.desc())


class InboxRepo:
    """Conversations, messages, tags, notes and settings of the inbox."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- messages ------------------------------------------------------------------------------

    def add_messages(self, workspace_id: int, messages: Sequence[Message]) -> list[int]:
        """Store the messages not stored yet (oldest first, so a reply finds what it answers),
        threading each into its conversation; the ids of the conversations that changed."""
        touched: list[int] = []
        with self.store.session() as s:
            for m in sorted(messages, key=lambda m: m.created_at):
                cid = self._add(s, workspace_id, m)
                if cid is not None and cid not in touched:
                    touched.append(cid)
        return touched

    def _add(self, s: Session, workspace_id: int, m: Message) -> int | None:
        key = (MessageRow.workspace_id == workspace_id, MessageRow.network == m.network,
               MessageRow.account == m.account)
        if s.scalar(select(MessageRow.id).where(*key, MessageRow.external_id == m.external_id)):
            return None
        parent = None if m.in_reply_to is None else s.scalar(
            select(MessageRow.conversation_id).where(*key,
                                                     MessageRow.external_id == m.in_reply_to))
        conv = s.get(ConversationRow, parent) if parent is not None else None
        at = _utc(m.created_at)
        if conv is None:
            conv = ConversationRow(
                workspace_id=workspace_id, network=m.network, account=m.account,
                root_id=m.external_id, kind=m.kind.value, author=m.author,
                preview=m.text[:280], status=Status.OPEN.value, priority=0,
                language=m.language, sentiment=m.sentiment, first_message_at=at,
                last_message_at=at, answered_elsewhere=False)
            s.add(conv)
            s.flush()
        self._apply(conv, m, at)
        s.add(MessageRow(
            workspace_id=workspace_id, conversation_id=conv.id, network=m.network,
            account=m.account, external_id=m.external_id, in_reply_to=m.in_reply_to,
            kind=m.kind.value, author=m.author, author_followers=m.author_followers,
            text=m.text, language=m.language, sentiment=m.sentiment, ours=m.ours, url=m.url,
            created_at=at))
        s.flush()
        return conv.id

    @staticmethod
    def _apply(conv: ConversationRow, m: Message, at: datetime) -> None:
        """A conversation after one more message: ours answers it (the first time), theirs
        reopens it, raises its priority and refreshes its filters' language and sentiment."""
        if _aware(conv.last_message_at) is None or at > (_aware(conv.last_message_at) or at):
            conv.last_message_at = at
        if m.ours:
            if conv.first_response_at is None:
                conv.first_response_at, conv.responder = at, m.author
            return
        conv.priority = max(conv.priority,
                            priority(m.sentiment, m.author_followers, [m.text]).score)
        conv.sentiment = m.sentiment or conv.sentiment
        conv.language = m.language or conv.language
        if conv.status != Status.OPEN.value:
            conv.status, conv.closed_at, conv.closed_by = Status.OPEN.value, None, None

    def messages(self, conversation_id: int) -> list[Message]:
        with self.store.session() as s:
            return [_message(r) for r in s.scalars(
                select(MessageRow).where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.created_at, MessageRow.id))]

    # -- conversations -------------------------------------------------------------------------

    def page(self, workspace_id: int, f: InboxFilter, limit: int) -> list[Conversation]:
        with self.store.session() as s:
            rows = list(s.execute(_filtered(workspace_id, f).limit(limit)))
            tags: dict[int, list[str]] = {}
            if rows:
                for cid, tag in s.execute(select(TagRow.conversation_id, TagRow.tag).where(
                        TagRow.conversation_id.in_([r.id for r in rows]))):
                    tags.setdefault(cid, []).append(tag)
            return [_conversation(r, tags.get(r.id, ())) for r in rows]

    def between(self, workspace_id: int, start: datetime, end: datetime) -> list[Conversation]:
        """Conversations whose first message arrived in [start, end) (what metrics read)."""
        with self.store.session() as s:
            c = ConversationRow
            return [_conversation(r) for r in s.scalars(select(c).where(
                c.workspace_id == workspace_id, c.first_message_at >= _utc(start),
                c.first_message_at < _utc(end)).order_by(c.id))]

    def conversation(self, workspace_id: int, conversation_id: int) -> Conversation:
        with self.store.session() as s:
            return _conversation(self._row(s, workspace_id, conversation_id),
                                 self._tags(s, conversation_id))

    @staticmethod
    def _row(s: Session, workspace_id: int, conversation_id: int) -> ConversationRow:
        row = s.get(ConversationRow, conversation_id)
        if row is None or row.workspace_id != workspace_id:
            raise NotFound(f"conversation {conversation_id} not found in this workspace")
        return row

    @staticmethod
    def _tags(s: Session, conversation_id: int) -> list[str]:
        return list(s.scalars(select(TagRow.tag).where(TagRow.conversation_id == conversation_id)))

    def change(self, workspace_id: int, conversation_id: int, **values: Any) -> Conversation:
        """Set the given columns (assignee, status, closed_at, closed_by, first_response_at,
        responder, answered_elsewhere) of one conversation."""
        with self.store.session() as s:
            row = self._row(s, workspace_id, conversation_id)
            for name, value in values.items():
                setattr(row, name, value)
            s.flush()
            return _conversation(row, self._tags(s, conversation_id))

    def claim(self, workspace_id: int, conversation_id: int, who: str, now: datetime,
              stale_before: datetime) -> Conversation:
        """Claim it for ``who`` unless someone else holds a claim newer than ``stale_before``;
        the conversation after the attempt (its ``claimed_by`` says who won)."""
        c = ConversationRow
        with self.store.session() as s:
            self._row(s, workspace_id, conversation_id)
            s.execute(update(c).where(
                c.id == conversation_id,
                or_(c.claimed_by.is_(None), c.claimed_by == who,
                    c.claimed_at < _utc(stale_before)))
                .values(claimed_by=who, claimed_at=_utc(now))
                .execution_options(synchronize_session=False))
        return self.conversation(workspace_id, conversation_id)

    def release(self, workspace_id: int, conversation_id: int, who: str) -> None:
        c = ConversationRow
        with self.store.session() as s:
            s.execute(update(c).where(c.id == conversation_id, c.workspace_id == workspace_id,
                                      c.claimed_by == who)
                      .values(claimed_by=None, claimed_at=None)
                      .execution_options(synchronize_session=False))

    # -- tags and notes ------------------------------------------------------------------------

    def set_tag(self, workspace_id: int, conversation_id: int, tag: str, on: bool
                ) -> Conversation:
        with self.store.session() as s:
            self._row(s, workspace_id, conversation_id)
            row = s.get(TagRow, (conversation_id, tag))
            if on and row is None:
                s.add(TagRow(conversation_id=conversation_id, tag=tag))
            elif not on and row is not None:
                s.delete(row)
        return self.conversation(workspace_id, conversation_id)

    def add_note(self, workspace_id: int, conversation_id: int, author: str, text: str,
                 now: datetime) -> Note:
        with self.store.session() as s:
            self._row(s, workspace_id, conversation_id)
            row = NoteRow(conversation_id=conversation_id, author=author, text=text,
                          created_at=_utc(now))
            s.add(row)
            s.flush()
            return Note(row.id, author, text, _utc(now))

    def notes(self, conversation_id: int) -> list[Note]:
        with self.store.session() as s:
            return [Note(r.id, r.author, r.text, _aware(r.created_at) or r.created_at)
                    for r in s.scalars(select(NoteRow).where(
                        NoteRow.conversation_id == conversation_id).order_by(NoteRow.id))]

    # -- settings ------------------------------------------------------------------------------

    def settings(self, workspace_id: int) -> tuple[int | None, str, str]:
        """(SLA minutes or None, business hours text, holidays text)."""
        with self.store.session() as s:
            row = s.get(InboxSettingsRow, workspace_id)
            if row is None:
                return None, "", ""
            return row.sla_minutes, row.sla_hours, row.holidays

    def save_settings(self, workspace_id: int, minutes: int | None, hours: str,
                      holidays: str) -> None:
        with self.store.session() as s:
            row = s.get(InboxSettingsRow, workspace_id)
            if row is None:
                row = InboxSettingsRow(workspace_id=workspace_id)
                s.add(row)
            row.sla_minutes, row.sla_hours, row.holidays = minutes, hours, holidays

    def next_agent(self, workspace_id: int, agents: Sequence[str]) -> str:
        """The agent after the last one handed a conversation (in the given order), recorded
        as the last one in the same transaction."""
        with self.store.session() as s:
            row = s.get(InboxSettingsRow, workspace_id, with_for_update=True)
            if row is None:
                row = InboxSettingsRow(workspace_id=workspace_id, sla_hours="", holidays="")
                s.add(row)
            last = row.round_robin_last
            pick = agents[(agents.index(last) + 1) % len(agents)] if last in agents else agents[0]
            row.round_robin_last = pick
            return pick
