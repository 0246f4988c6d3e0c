"""The unified inbox's vocabulary: messages, conversations, statuses, tags and priority.

A *message* is one thing a person wrote to or about the workspace on a network (a comment on an
own post, a reply, a mention, a direct message) or one we wrote back. Messages are threaded into
*conversations*: a message answering a message we hold joins that message's conversation; any
other message starts one. A conversation carries the care team's state (status, assignee, tags,
who is on it right now) and the instants the service levels and care metrics are computed from
(first inbound message, first response, close).

Priority is data, not a verdict: each factor that raised it (negative sentiment, a large
audience, a complaint keyword) is one `Reason`, so the inbox can show why a conversation is on
top.

Pure: the service passes instants in and reads rows out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .errors import InvalidInput


class MessageKind(StrEnum):
    """What a message is, as the network shows it."""

    COMMENT = "comment"  # a comment on an own post
    REPLY = "reply"  # a reply in a thread (to us or to another message we hold)
    MENTION = "mention"  # a post naming the account
    DIRECT = "direct"  # a direct (private) message


class Status(StrEnum):
    """Where a conversation stands: open (needs us), pending (waits for them), closed."""

    OPEN = "open"
    PENDING = "pending"
    CLOSED = "closed"


def parse_status(text: str, field_name: str = "status") -> Status:
    """A status from what a person typed; unknown -> one line naming the statuses there are."""
    try:
        return Status(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"{field_name}: unknown status {text.strip()[:40]!r}; use one of "
                           f"{', '.join(Status)}") from None


_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def parse_tag(text: str) -> str:
    """A tag as stored: lower case, 1-40 letters, digits, '-' or '_' (so filters match what
    people typed whatever its case)."""
    tag = text.strip().lower()
    if not _TAG.match(tag):
        raise InvalidInput(f"tag: {text.strip()[:40]!r} is not a tag; use 1-40 letters, "
                           "digits, '-' or '_'")
    return tag


def check_text(value: str, field_name: str) -> str:
    """Text bound for the database: no NUL character (PostgreSQL refuses it)."""
    if "\x00" in value:
        raise InvalidInput(f"{field_name}: contains a NUL character")
    return value


def parse_note(text: str) -> str:
    """An internal note's text: not empty, at most 5,000 characters."""
    body = check_text(text, "note").strip()
    if not body:
        raise InvalidInput("note: the text is empty")
    if len(body) > 5000:
        raise InvalidInput(f"note: {len(body)} characters; at most 5000")
    return body


@dataclass(frozen=True)
class Message:
    """One message of a conversation, inbound (a person) or ours (``ours``)."""

    network: str
    account: str  # the workspace account (handle) it reached
    external_id: str  # the network's id: with network and account, the natural key
    kind: MessageKind
    author: str
    text: str
    created_at: datetime
    in_reply_to: str | None = None  # the network id it answers (a message or an own post)
    author_followers: int = 0
    language: str = ""
    sentiment: str = ""  # positive | neutral | negative | "" (unknown)
    ours: bool = False
    url: str = ""


def conversation_of(message: Message, known: Mapping[str, int]) -> int | None:
    """The conversation a message joins: that of the message it answers when we hold it
    (``known``: external id -> conversation id, for the same network and account), else None
    (it starts a conversation of its own)."""
    if message.in_reply_to is None:
        return None
    return known.get(message.in_reply_to)


@dataclass(frozen=True)
class Conversation:
    """A thread as the care team sees it."""

    id: int
    workspace_id: int
    network: str
    account: str
    root_id: str  # external id of the message that started it
    kind: MessageKind
    author: str
    preview: str
    status: Status
    first_message_at: datetime  # first inbound message
    last_message_at: datetime
    priority: int = 0
    language: str = ""
    sentiment: str = ""
    assignee: str | None = None
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    first_response_at: datetime | None = None
    responder: str | None = None  # who answered first (an agent's name, or "elsewhere")
    answered_elsewhere: bool = False
    closed_at: datetime | None = None
    closed_by: str | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def answered(self) -> bool:
        return self.first_response_at is not None


@dataclass(frozen=True)
class Note:
    """An internal note on a conversation: seen by the team, never sent."""

    id: int
    author: str
    text: str
    created_at: datetime


# -- priority -----------------------------------------------------------------------------------

#: Words that raise priority, with their points (whole words, any case).
KEYWORDS: Mapping[str, int] = {"urgent": 30, "refund": 25, "complaint": 25, "complain": 25,
                               "broken": 15, "cancel": 15, "scam": 20}
NEGATIVE_POINTS = 30
#: Author reach (followers) at or above which priority rises, and by how much.
REACH_STEPS: tuple[tuple[int, int], ...] = ((100_000, 30), (10_000, 20), (1_000, 10))
LEVELS: tuple[tuple[int, str], ...] = ((60, "urgent"), (30, "high"), (10, "normal"), (0, "low"))
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Reason:
    """One factor that raised a conversation's priority."""

    factor: str  # sentiment | reach | keyword
    detail: str  # what was seen, in words
    points: int


@dataclass(frozen=True)
class Priority:
    """A priority score, its level and every reason behind it."""

    score: int
    level: str
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        return {"score": self.score, "level": self.level,
                "reasons": [{"factor": r.factor, "detail": r.detail, "points": r.points}
                            for r in self.reasons]}


def priority(sentiment: str, author_followers: int, texts: Iterable[str]) -> Priority:
    """Priority from sentiment (negative adds), the author's reach (followers, in steps) and
    complaint keywords (each word once), with the explanation as data."""
    reasons: list[Reason] = []
    if sentiment == "negative":
        reasons.append(Reason("sentiment", "negative", NEGATIVE_POINTS))
    for threshold, points in REACH_STEPS:
        if author_followers >= threshold:
            reasons.append(Reason("reach", f"{author_followers} followers "
                                           f"(at least {threshold})", points))
            break
    words = {w for t in texts for w in _WORD.findall(t.lower())}
    for word, points in KEYWORDS.items():
        if word in words:
            reasons.append(Reason("keyword", word, points))
    score = sum(r.points for r in reasons)
    level = next(name for floor, name in LEVELS if score >= floor)
    return Priority(score, level, tuple(reasons))


# -- the inbox's view ---------------------------------------------------------------------------

UNASSIGNED = "none"  # the assignee filter's word for "nobody"


@dataclass(frozen=True)
class InboxFilter:
    """Which conversations a view shows (every field optional; all given ones must hold).

    ``waiting_since``: only conversations whose first message arrived at or before it (the
    "older than" filter, as an instant); ``after``: the keyset cursor, the (last_message_at, id)
    of the previous page's last row (pages run newest first)."""

    network: str | None = None
    account: str | None = None
    sentiment: str | None = None
    language: str | None = None
    status: Status | None = None
    assignee: str | None = None  # a name, or UNASSIGNED
    tag: str | None = None
    unanswered: bool = False
    waiting_since: datetime | None = None
    after: tuple[datetime, int] | None = None


_DURATION = re.compile(r"^\s*(\d{1,5})\s*([mhd])\s*$")


def parse_age(text: str) -> int:
    """An age such as ``30m``, ``4h`` or ``2d`` in minutes (the "older than" filter)."""
    m = _DURATION.match(text.lower())
    if m is None or int(m.group(1)) * {"m": 1, "h": 60, "d": 1440}[m.group(2)] > 3650 * 1440:
        raise InvalidInput(f"older than: cannot read {text.strip()[:20]!r}; write e.g. 30m, "
                           "4h or 2d (at most 3650d)")
    return int(m.group(1)) * {"m": 1, "h": 60, "d": 1440}[m.group(2)]


def cursor_text(last_message_at: datetime, conversation_id: int) -> str:
    """The opaque cursor of a page's last row (what `parse_cursor` reads back)."""
    return f"{last_message_at.isoformat()}~{conversation_id}"


def parse_cursor(text: str) -> tuple[datetime, int]:
    """A cursor from `cursor_text`; anything else -> one line."""
    stamp, _, ident = text.partition("~")
    try:
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None or not (ident.isascii() and ident.isdigit()) \
                or int(ident) > 2**31 - 1:
            raise ValueError
        return when, int(ident)
    except ValueError:
        raise InvalidInput(f"after: {text[:60]!r} is not a page cursor of the inbox") from None
