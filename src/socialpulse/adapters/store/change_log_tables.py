"""The activity log's table (``change_log``) and its reads.

Rows are written only by the recorder (`change_recorder`), in the transaction of the change
they describe; nothing updates or deletes them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.domain.change_log import ChangeEntry

from .columns import id_pk, timestamp
from .core import StoreCore
from .tables import Base


class ChangeLogRow(Base):
    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_ws_at", "workspace", "at"),
                      Index("ix_change_log_at", "at"))
    id: Mapped[int] = id_pk()
    at: Mapped[datetime] = timestamp()
    actor_id: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    action: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: the workspace's slug when the change was authorized for one (kept as text: the log
    #: outlives a removed workspace)
    workspace: Mapped[str | None] = mapped_column(String(63), nullable=True)
    subject: Mapped[str] = mapped_column(String(63), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(100), nullable=False)
    change: Mapped[str] = mapped_column(String(10), nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class ChangeLogReads:
    """Entries of the log, newest first (the `ChangeLogReads` port)."""

    def __init__(self, store: StoreCore) -> None:
        self.store = store

    def entries(self, workspace: str | None, since: datetime | None,
                limit: int) -> list[ChangeEntry]:
        q = select(ChangeLogRow).order_by(ChangeLogRow.id.desc()).limit(limit)
        if workspace is not None:
            q = q.where(ChangeLogRow.workspace == workspace)
        if since is not None:
            q = q.where(ChangeLogRow.at >= since)
        with self.store.session() as s:
            return [_entry(r) for r in s.scalars(q)]


def _entry(r: ChangeLogRow) -> ChangeEntry:
    at = r.at if r.at.tzinfo is not None else r.at.replace(tzinfo=UTC)  # SQLite: naive UTC
    return ChangeEntry(id=r.id, at=at, actor_id=r.actor_id, actor_name=r.actor_name,
                       actor_kind=r.actor_kind, action=r.action, workspace=r.workspace,
                       subject=r.subject, subject_id=r.subject_id, change=r.change,
                       details=dict(r.details or {}))
