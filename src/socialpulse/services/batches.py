"""The import history of a workspace, and taking a bad import back out.

One use case for the CLI (``lake batches``, ``lake remove``), the API and the Workspace page,
so the three list the same rows with the same words and remove the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import MAX_ID, Workspace
from socialpulse.services.ports import DataLake, LedgerBatch, WorkspaceRepository

#: What a batch's ledger state means to a user.
STATES = {"committed": "active", "compacted": "merged", "removed": "removed",
          "pending": "importing"}


@dataclass(frozen=True)
class BatchRecord:
    """One import as people see it: when, from which files, how many rows of what, and
    whether its rows count (active), live on in a compaction (merged) or were removed."""

    id: int
    imported_at: datetime
    source: str
    format: str
    rows: dict[str, int]
    state: str
    merged_into: int | None

    @property
    def removable(self) -> bool:
        return self.state == "active"

    @property
    def state_text(self) -> str:
        return f"merged into {self.merged_into}" if self.state == "merged" else self.state

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "imported_at": self.imported_at.isoformat(),
                "source": self.source, "format": self.format, "rows": dict(self.rows),
                "state": self.state, "merged_into": self.merged_into}


@dataclass(frozen=True)
class RemoveResult:
    """What a removal took out (nothing when the batch was removed before)."""

    batch_id: int
    removed: list[int]
    rows: dict[str, int]
    grace_minutes: int

    @property
    def already_removed(self) -> bool:
        return not self.removed

    @property
    def message(self) -> str:
        if self.already_removed:
            return f"batch {self.batch_id} was already removed; nothing changed"
        counts = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in self.rows.items())
        merged = [b for b in self.removed if b != self.batch_id]
        with_merged = (f" with the {len(merged)} import{'s' if len(merged) != 1 else ''} it "
                       f"merged ({', '.join(map(str, merged))})" if merged else "")
        return (f"removed batch {self.batch_id}{with_merged}: {counts or 'no rows'} no longer "
                "count, and the same exports can be imported again; its lake files are deleted "
                f"after {self.grace_minutes} minutes (queries already running still read them)")

    def as_dict(self) -> dict[str, Any]:
        return {"batch": self.batch_id, "removed": self.removed, "rows": self.rows,
                "already_removed": self.already_removed, "message": self.message}


def _when(b: LedgerBatch) -> datetime:
    when = b.committed_at or b.created_at
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class BatchService:
    """Use case: list a workspace's imports, remove one."""

    def __init__(self, store: WorkspaceRepository, lake: DataLake) -> None:
        self.store = store
        self.lake = lake

    def history(self, ws: Workspace) -> list[BatchRecord]:
        """Every import of the workspace, newest first (a read: writes nothing)."""
        return [
            BatchRecord(b.id, _when(b), b.source, b.format, dict(b.rows),
                        STATES.get(b.status, b.status), b.merged_into)
            for b in sorted(self.store.batches(ws.id, None), key=lambda b: b.id, reverse=True)
        ]

    def compact(self, actor: Actor, ws: Workspace) -> dict[str, int]:
        """Merge the workspace's imports into one batch (the latest row per key); answers the
        rows kept per dataset, nothing when there was nothing to merge."""
        authorize(actor, Action.LAKE_MAINTAIN, ws.slug)
        return self.lake.compact(ws.id)

    def remove(self, actor: Actor, ws: Workspace, batch_id: int) -> RemoveResult:
        """Take one import out atomically; running it again changes nothing."""
        authorize(actor, Action.DATA_REMOVE, ws.slug)
        if not 0 < batch_id <= MAX_ID:  # beyond what the database compares: a typo
            raise InvalidInput(f"batch: {batch_id} is not a batch number (see lake batches)")
        removal = self.lake.remove(ws.id, batch_id)
        return RemoveResult(batch_id, [b.id for b in removal.batches], removal.rows,
                            round(self.lake.grace_s / 60))
