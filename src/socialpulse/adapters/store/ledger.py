"""The ingest ledger: import batches, their claims, commits, compactions and trash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialpulse.domain.errors import Conflict, NotFound

from .core import StoreCore, _now
from .directory import DirectoryRepo
from .tables import IngestBatchRow


@dataclass(frozen=True)
class Batch:
    id: int
    workspace_id: int
    source: str
    format: str
    content_hash: str
    status: str
    rows: dict[str, int]
    files: list[str]
    created_at: datetime
    committed_at: datetime | None
    owner: str | None = None
    lease_until: datetime | None = None
    retired_at: datetime | None = None
    merged_into: int | None = None


def _batch(row: IngestBatchRow) -> Batch:
    return Batch(
        id=row.id,
        workspace_id=row.workspace_id,
        source=row.source,
        format=row.format,
        content_hash=row.content_hash,
        status=row.status,
        rows=dict(row.rows or {}),
        files=list(row.files or []),
        created_at=row.created_at,
        committed_at=row.committed_at,
        owner=row.owner,
        lease_until=row.lease_until,
        retired_at=row.retired_at,
        merged_into=row.merged_into,
    )


def _commit(s: Session, batch_id: int, files: list[str], rows: dict[str, int]) -> IngestBatchRow:
    """Mark a batch committed with its files and row counts (what makes them visible)."""
    row = s.get(IngestBatchRow, batch_id)
    if row is None:
        raise NotFound(f"ingest batch {batch_id} not found")
    row.status = "committed"
    row.files = files
    row.rows = rows
    row.committed_at = _now()
    return row


class _Finished(Exception):
    """Rolls a claim back: the content is already imported (``batch``)."""

    def __init__(self, batch: Batch) -> None:
        super().__init__(batch.id)
        self.batch = batch


class LedgerRepo(StoreCore):
    """The ingest ledger (every method is one short transaction)."""

    # --- ingest ledger --------------------------------------------------------------------

    def find_batch(self, workspace_id: int, content_hash: str) -> Batch | None:
        """The committed batch with this content, else a pending one (a crashed import).

        Removed batches do not count: removing an import lets the same file be imported
        again."""
        with self.session() as s:
            rows = list(
                s.scalars(
                    select(IngestBatchRow)
                    .where(
                        IngestBatchRow.workspace_id == workspace_id,
                        IngestBatchRow.content_hash == content_hash,
                    )
                    .order_by(IngestBatchRow.id)
                )
            )
        for status in ("committed", "compacted", "pending"):
            for r in rows:
                if r.status == status:
                    return _batch(r)
        return None

    def begin_batch(self, workspace_id: int, source: str, fmt: str, content_hash: str,
                    owner: str | None = None, lease_until: datetime | None = None) -> Batch:
        """A new pending batch (raises IntegrityError when one with this content is pending)."""
        with self.session() as s:
            row = IngestBatchRow(
                workspace_id=workspace_id,
                source=source,
                format=fmt,
                content_hash=content_hash,
                status="pending",
                rows={},
                files=[],
                created_at=_now(),
                owner=owner,
                lease_until=lease_until,
            )
            s.add(row)
            s.flush()
            return _batch(row)

    def claim_batch(self, workspace_id: int, source: str, fmt: str, content_hash: str,
                    owner: str, lease_until: datetime) -> tuple[str, Batch | None]:
        """Claim the right to write this content, in one transaction.

        Answers ``("claimed", new pending batch)``, ``("done", committed or compacted batch)``,
        ``("busy", the pending batch someone else holds)`` or ``("retry", None)`` when that
        holder gave up in between. The insert comes first: it takes the write lock (SQLite)
        or waits on the unique pending index (PostgreSQL), so the check for a finished batch
        that follows sees every commit before ours, and two processes never both claim it.
        """
        try:
            with self.session() as s:
                row = IngestBatchRow(
                    workspace_id=workspace_id, source=source, format=fmt,
                    content_hash=content_hash, status="pending", rows={}, files=[],
                    created_at=_now(), owner=owner, lease_until=lease_until,
                )
                s.add(row)
                s.flush()
                done = s.scalar(
                    select(IngestBatchRow)
                    .where(IngestBatchRow.workspace_id == workspace_id,
                           IngestBatchRow.content_hash == content_hash,
                           IngestBatchRow.status.in_(("committed", "compacted")))
                    .order_by(IngestBatchRow.id)
                )
                if done is not None:  # finished by someone else: our pending row goes
                    raise _Finished(_batch(done))
                return "claimed", _batch(row)
        except _Finished as finished:
            return "done", finished.batch
        except IntegrityError:
            pass
        found = self.find_batch(workspace_id, content_hash)
        if found is None:
            return "retry", None
        return ("busy" if found.status == "pending" else "done"), found

    def take_over_batch(self, batch_id: int, previous_owner: str | None, owner: str,
                        lease_until: datetime) -> bool:
        """Take an abandoned pending batch over, only if it still has the owner we judged
        abandoned (compare-and-set: of two processes doing this, one wins)."""
        with self.session() as s:
            q = (
                update(IngestBatchRow)
                .where(IngestBatchRow.id == batch_id, IngestBatchRow.status == "pending")
                .values(owner=owner, lease_until=lease_until, created_at=_now())
            )
            q = q.where(IngestBatchRow.owner.is_(None) if previous_owner is None
                        else IngestBatchRow.owner == previous_owner)
            return bool(s.execute(q).rowcount == 1)  # type: ignore[attr-defined]

    def commit_batch(self, batch_id: int, files: list[str], rows: dict[str, int],
                     owner: str | None = None) -> Batch:
        """The one step that makes a batch's files visible to readers.

        With ``owner``, only while the batch is still pending and ours: an import whose lease
        ran out and was taken over must not commit on top of the one that took it."""
        with self.session() as s:
            if owner is not None:
                current = s.get(IngestBatchRow, batch_id)
                if current is None or current.status != "pending" or current.owner != owner:
                    raise Conflict(f"import batch {batch_id}: another process took this import "
                                   "over (its lease had expired); nothing was written")
            row = _commit(s, batch_id, files, rows)
            s.flush()
            return _batch(row)

    def discard_batch(self, batch_id: int, owner: str | None = None) -> None:
        """Delete a pending batch's row (with ``owner``: only while it is still ours)."""
        with self.session() as s:
            row = s.get(IngestBatchRow, batch_id)
            if row is not None and row.status == "pending" and owner in (None, row.owner):
                s.delete(row)

    def replace_batches(self, old_ids: Sequence[int], new_batch_id: int,
                        files: list[str], rows: dict[str, int],
                        timezone: str | None = None) -> None:
        """Compaction: commit the merged batch and retire the old ones in one transaction
        (with the workspace's new time zone when the merge re-derived local days).

        The old batches keep their file lists (the trash) until `sweep_trash` deletes them
        after the grace period. When one of them left the committed set while the merge was
        written (removed, or merged by another compaction), nothing changes: Conflict."""
        with self.session() as s:
            now = _now()
            if timezone is not None:
                batch = s.get(IngestBatchRow, new_batch_id)
                if batch is None:
                    raise NotFound(f"ingest batch {new_batch_id} not found")
                DirectoryRepo._set_workspace(s, batch.workspace_id, timezone=timezone)
            for bid in old_ids:
                old = s.get(IngestBatchRow, bid)
                if old is None or old.status != "committed":
                    raise Conflict(f"import batch {bid} changed while the compaction ran "
                                   "(removed or merged); run it again")
                old.status = "compacted"
                old.merged_into = new_batch_id
                old.retired_at = now
            _commit(s, new_batch_id, files, rows)

    def remove_batch(self, workspace_id: int, batch_id: int) -> list[Batch]:
        """Take an import out of the committed set, in one transaction; answers the batches
        that were removed (none when it was removed already).

        A compaction's batch takes with it every import it merged, so their files can be
        imported again. An import merged into a later batch cannot be taken out of it alone
        (Conflict, naming that batch); a pending one is still being written (Conflict)."""
        with self.session() as s:
            row = s.scalar(select(IngestBatchRow).where(
                IngestBatchRow.workspace_id == workspace_id, IngestBatchRow.id == batch_id))
            if row is None:
                raise NotFound(f"import batch {batch_id} not found in this workspace")
            if row.status == "removed":
                return []
            if row.status == "pending":
                raise Conflict(f"import batch {batch_id} is still being imported; remove it "
                               "once it has finished")
            if row.status == "compacted":
                raise Conflict(
                    f"import batch {batch_id} was merged with other imports into batch "
                    f"{self._merged_root(s, row)} by a compaction and cannot be split from "
                    "it; remove that batch (every import it merged) and re-import the files "
                    "to keep")
            now = _now()
            removed = [row]
            todo = [row.id]
            while todo:  # what a compaction merged, and what earlier compactions merged
                merged = list(s.scalars(select(IngestBatchRow).where(
                    IngestBatchRow.workspace_id == workspace_id,
                    IngestBatchRow.merged_into.in_(todo),
                    IngestBatchRow.status == "compacted")))
                removed.extend(merged)
                todo = [m.id for m in merged]
            for r in removed:
                r.status = "removed"
                if r.retired_at is None:
                    r.retired_at = now
            s.flush()
            return [_batch(r) for r in removed]

    @staticmethod
    def _merged_root(s: Session, row: IngestBatchRow) -> int:
        """The batch whose files hold a compacted batch's rows now (compactions may chain)."""
        while row.merged_into is not None:
            nxt = s.get(IngestBatchRow, row.merged_into)
            if nxt is None or nxt.status != "compacted":
                return row.merged_into
            row = nxt
        return row.id

    def trash(self, workspace_id: int, retired_before: datetime) -> list[Batch]:
        """Batches out of the committed set whose files may be deleted now (retired before
        the grace period began)."""
        with self.session() as s:
            rows = s.scalars(select(IngestBatchRow).where(
                IngestBatchRow.workspace_id == workspace_id,
                IngestBatchRow.status.in_(("compacted", "removed")),
                IngestBatchRow.retired_at <= retired_before))
            return [_batch(r) for r in rows if r.files]

    def forget_files(self, batch_ids: Sequence[int]) -> None:
        """Their files are deleted: empty the batches' file lists."""
        with self.session() as s:
            for bid in batch_ids:
                row = s.get(IngestBatchRow, bid)
                if row is not None and row.status in ("compacted", "removed"):
                    row.files = []

    def batches(self, workspace_id: int, status: str | None = "committed") -> list[Batch]:
        with self.session() as s:
            q = select(IngestBatchRow).where(IngestBatchRow.workspace_id == workspace_id)
            if status is not None:
                q = q.where(IngestBatchRow.status == status)
            return [_batch(r) for r in s.scalars(q.order_by(IngestBatchRow.id))]
