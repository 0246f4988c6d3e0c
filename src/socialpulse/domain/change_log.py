"""The activity log's vocabulary: what a change record holds, what is never logged, and who the
current changes are done for.

Shown to people as the "Activity log" (``socialpulse audit-log``); named ``change_log`` inside,
because "audit" already names the social media audit of this product.

How changes get here (docs/DESIGN-NOTES.md, "Activity log", says why): every service write
calls `domain.actor.authorize` before it changes anything, and `authorize` notes who was
allowed to do what where in a context variable (`note_authorized`). The store records every
row its sessions insert, change or delete in the same transaction, stamped with that note
(`current_authorization`). So no service calls the log, a new table is logged the day it is
added, and a change that rolls back leaves no entry.

Pure: values and rules only. A context variable holds per-thread (per request, per command,
per job) state and does no I/O; the store reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # actor.py imports `note_authorized` from here
    from .actor import Actor

#: What happened to a row.
CREATED = "created"
CHANGED = "changed"
REMOVED = "removed"
CHANGE_KINDS = (CREATED, CHANGED, REMOVED)

#: Tables whose rows are machine bookkeeping, not anyone's decision: sessions and sign-in
#: attempts (every sign-in would fill the log), one-time links (their use is logged on the user
#: row), the job queue, deliveries and alert events, and the log itself.
UNLOGGED_TABLES = frozenset({
    "change_log", "jobs", "user_sessions", "signin_failures", "one_time_links",
    "report_deliveries", "alert_events", "listening_alerts", "alembic_version",
    # a benchmark pack's hundreds of reference rows: loading the pack is its own entry
    "maturity_benchmark_groups",
})

#: Columns whose changes are bookkeeping (leases, sync cursors, counters, stamps): a change of
#: only these is no entry, and they are left out of the ones that have others.
QUIET_COLUMNS = frozenset({
    "created_at", "owner", "lease_until", "lease_owner", "sync_owner", "cursor", "updated_at",
    "last_used_at", "last_error", "auth_failures", "quota_limit", "quota_remaining",
    "synced_posts", "mentions", "retired_at", "merged_into",
})

#: Columns never logged by value, only as "(hidden)": password and token hashes, connector
#: credentials, one-time link hashes... Exact names, then name endings (a new ``*_secret`` or
#: ``*_hash`` column is hidden without anyone listing it).
SECRET_COLUMNS = frozenset({"password", "secret", "token", "credentials", "client_secret",
                            "api_key", "access_token", "refresh_token", "smtp_password"})
SECRET_SUFFIXES = ("_hash", "_secret", "_password", "_token", "_credentials", "_key_enc")
HIDDEN = "(hidden)"

#: How people call a table's rows (others: the table name in words, singular).
SUBJECTS: Mapping[str, str] = {
    "workspaces": "workspace settings",
    "accounts": "account",
    "brands": "brand",
    "ingest_batches": "import",
    "goals": "goal",
    "goal_milestones": "goal milestone",
    "goal_checkins": "goal check-in",
    "goal_status_history": "goal status",
    "okr_objectives": "objective",
    "okr_key_results": "key result",
    "okr_checkins": "key result check-in",
    "memberships": "member",
    "api_tokens": "API token",
    "users": "user",
    "connections": "connection",
    "report_schedules": "report schedule",
    "report_branding": "report branding",
    "listening_queries": "listening query",
    "mention_corrections": "mention correction",
}


def is_secret(column: str) -> bool:
    """Whether a column's values must never be written to the log."""
    name = column.lower()
    return name in SECRET_COLUMNS or name.endswith(SECRET_SUFFIXES)


def subject_label(table: str) -> str:
    """``goal_checkins`` -> "goal check-in"; unknown tables in words, singular."""
    if table in SUBJECTS:
        return SUBJECTS[table]
    words = table.replace("_", " ")
    return words[:-1] if words.endswith("s") and not words.endswith("ss") else words


def loggable_value(column: str, value: Any) -> Any:
    """What the log keeps of one column's value: JSON-safe, secrets hidden."""
    if value is None:
        return None
    if is_secret(column):
        return HIDDEN
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [loggable_value("", v) for v in value]
    if isinstance(value, dict):
        return {str(k): loggable_value(str(k), v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Authorization:
    """Who was last allowed to do what, where: the stamp of the changes that follow."""

    actor: Actor
    action: str
    workspace: str | None


_CURRENT: ContextVar[Authorization | None] = ContextVar("socialpulse_authorization",
                                                        default=None)


#: Actions that only read: allowing one changes nothing, so it does not restamp what follows
#: (reading the log between two writes must not make the second one "audit.read").
READ_ACTIONS = frozenset({"workspace.read", "audit.read"})


def note_authorized(actor: Actor, action: str, workspace: str | None) -> None:
    """Called by `authorize` once it allowed something: the changes that follow in this
    thread or task are done by ``actor`` for ``action`` in ``workspace`` (reads excepted)."""
    if action not in READ_ACTIONS:
        _CURRENT.set(Authorization(actor, action, workspace))


def current_authorization() -> Authorization | None:
    """The note of the last `authorize` in this context (None: no write was authorized)."""
    return _CURRENT.get()


def forget_authorization() -> None:
    """Clear the note (a worker between two jobs, a test between two steps)."""
    _CURRENT.set(None)


@dataclass(frozen=True)
class ChangeEntry:
    """One row created, changed or removed, as the activity log shows it."""

    id: int
    at: datetime
    actor_id: str
    actor_name: str
    actor_kind: str
    action: str | None
    workspace: str | None
    subject: str  # the table, as stored; `subject_label` says it in words
    subject_id: str
    change: str  # CREATED, CHANGED or REMOVED
    #: created/removed: {column: value}; changed: {column: {"from": before, "to": after}}
    #: ({"to": after} alone for a bulk UPDATE statement, whose rows are not read first)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def subject_label(self) -> str:
        return subject_label(self.subject)

    def summary(self, width: int | None = None) -> str:
        """One line: ``goal 12 changed: target value 100 -> 120`` (cut at ``width``)."""
        fields = ", ".join(f"{k.replace('_', ' ')} {_short(v)}" for k, v in self.details.items())
        head = f"{self.subject_label} {self.subject_id} {self.change}"
        line = f"{head}: {fields}" if fields else head
        return line if width is None or len(line) <= width else line[:width - 3] + "..."

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(),
                "actor": {"id": self.actor_id, "name": self.actor_name,
                          "kind": self.actor_kind},
                "action": self.action, "workspace": self.workspace,
                "subject": self.subject_label, "subject_id": self.subject_id,
                "change": self.change, "details": self.details}


def _short(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_short(value['from'])} -> {_short(value['to'])}"
    if isinstance(value, dict) and set(value) == {"to"}:  # a bulk update: before not read
        return f"-> {_short(value['to'])}"
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
