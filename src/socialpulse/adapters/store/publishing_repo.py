"""Posts, variants and the outbox's sends in the app database: the `PublishingRepository` port.

Every move of the workflow is a compare-and-set on the row's status (``UPDATE ... WHERE
status IN (...)``), so a cancel racing a worker's claim has exactly one winner, and the
outbox's writes also name the job that owns the send, so a worker whose lease was taken over
cannot overwrite its successor's result. All times UTC, given by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from socialpulse.domain.platforms import Network
from socialpulse.domain.publishing import Media, Post, PostStatus, Send, Variant, overall

from . import Store
from .publishing_tables import PublishPostRow, PublishSendRow, PublishVariantRow


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _variant(r: PublishVariantRow) -> Variant:
    media = tuple(Media(str(m["name"]), int(m["size"]), str(m.get("alt") or ""))
                  for m in json.loads(r.media))
    return Variant(Network(r.network), r.text, tuple(json.loads(r.links)), media,
                   r.connection_id)


def _send(r: PublishSendRow) -> Send:
    return Send(r.post_id, Network(r.network), PostStatus(r.status), r.attempts, r.job_id,
                r.platform_id, r.url, r.error, _utc(r.sent_at), r.generation)


def _post(r: PublishPostRow, variants: Iterable[PublishVariantRow],
          sends: Iterable[PublishSendRow]) -> Post:
    local = datetime.fromisoformat(r.scheduled_local) if r.scheduled_local else None
    return Post(id=r.id, workspace_id=r.workspace_id, status=PostStatus(r.status),
                author=r.author, campaign=r.campaign, goal=r.goal, scheduled_local=local,
                zone=r.zone, scheduled_at=_utc(r.scheduled_at), comment=r.comment,
                variants=tuple(_variant(v) for v in sorted(variants, key=lambda v: v.network)),
                created_at=_utc(r.created_at), updated_at=_utc(r.updated_at),
                sends=tuple(_send(s) for s in sorted(sends, key=lambda s: s.network)))


def _variant_rows(post_id: int, variants: Sequence[Variant]) -> list[PublishVariantRow]:
    return [PublishVariantRow(
        post_id=post_id, network=v.network.value, connection_id=v.connection_id,
        text=v.text, links=json.dumps(list(v.links)),
        media=json.dumps([{"name": m.name, "size": m.size_bytes, "alt": m.alt}
                          for m in v.media])) for v in variants]


class _Claimed(Exception):
    """A worker claimed one of the post's sends: the change rolls back."""


class PublishingRepo:
    """Publishing's rows; each method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- reads ---------------------------------------------------------------------------

    def _load(self, s: Session, rows: Sequence[PublishPostRow]) -> list[Post]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        variants = s.scalars(select(PublishVariantRow)
                             .where(PublishVariantRow.post_id.in_(ids))).all()
        sends = s.scalars(select(PublishSendRow).where(PublishSendRow.post_id.in_(ids))).all()
        return [_post(r, [v for v in variants if v.post_id == r.id],
                      [x for x in sends if x.post_id == r.id]) for r in rows]

    def get(self, post_id: int) -> Post | None:
        with self.store.session() as s:
            row = s.get(PublishPostRow, post_id)
            return self._load(s, [row])[0] if row is not None else None

    def posts(self, workspace_id: int, statuses: Sequence[PostStatus] | None = None
              ) -> list[Post]:
        with self.store.session() as s:
            q = select(PublishPostRow).where(PublishPostRow.workspace_id == workspace_id)
            if statuses:
                q = q.where(PublishPostRow.status.in_([x.value for x in statuses]))
            rows = s.scalars(q.order_by(PublishPostRow.scheduled_at, PublishPostRow.id)).all()
            return self._load(s, rows)

    # --- the workflow --------------------------------------------------------------------

    def create(self, workspace_id: int, author: str, campaign: str, goal: str, zone: str,
               variants: Sequence[Variant], *, now: datetime) -> Post:
        with self.store.session() as s:
            row = PublishPostRow(workspace_id=workspace_id, status=PostStatus.DRAFT.value,
                                 author=author, campaign=campaign, goal=goal, zone=zone,
                                 generation=0, comment="", created_at=_utc(now),
                                 updated_at=_utc(now))
            s.add(row)
            s.flush()
            s.add_all(_variant_rows(row.id, variants))
            s.flush()
            return self._load(s, [row])[0]

    def edit(self, post_id: int, expected: Sequence[PostStatus], campaign: str, goal: str,
             variants: Sequence[Variant], *, now: datetime) -> bool:
        """Replace the content and send the post back to draft, if it is still in one of
        ``expected`` and none of its sends was claimed (a scheduled one's sends go)."""
        try:
            with self.store.session() as s:
                if not self._move(s, post_id, expected, PostStatus.DRAFT, now,
                                  campaign=campaign, goal=goal, comment=""):
                    return False
                self._drop_unclaimed(s, post_id)
                s.execute(delete(PublishVariantRow).where(PublishVariantRow.post_id == post_id))
                s.add_all(_variant_rows(post_id, variants))
                return True
        except _Claimed:
            return False

    def move(self, post_id: int, expected: Sequence[PostStatus], target: PostStatus, *,
             now: datetime, comment: str | None = None) -> bool:
        """Compare-and-set the status (a scheduled post's unclaimed sends go with it)."""
        try:
            with self.store.session() as s:
                extra = {"comment": comment} if comment is not None else {}
                if not self._move(s, post_id, expected, target, now, **extra):
                    return False
                if PostStatus.SCHEDULED in expected:
                    self._drop_unclaimed(s, post_id)
                return True
        except _Claimed:
            return False

    def schedule(self, post_id: int, expected: Sequence[PostStatus], local: datetime,
                 zone: str, at: datetime, networks: Sequence[Network], *,
                 now: datetime) -> int | None:
        """Schedule the post (its sends made afresh, unclaimed); the new generation, or None
        when it is no longer in ``expected`` or one of its sends was claimed meanwhile."""
        try:
            with self.store.session() as s:
                return self._schedule(s, post_id, expected, local, zone, at, networks, now)
        except _Claimed:
            return None

    def _schedule(self, s: Session, post_id: int, expected: Sequence[PostStatus],
                  local: datetime, zone: str, at: datetime, networks: Sequence[Network],
                  now: datetime) -> int | None:
        row = s.get(PublishPostRow, post_id)
        if row is None:
            return None
        gen = row.generation + 1
        if not self._move(s, post_id, expected, PostStatus.SCHEDULED, now,
                          scheduled_local=local.isoformat(timespec="minutes"), zone=zone,
                          scheduled_at=_utc(at), generation=gen):
            return None
        self._drop_unclaimed(s, post_id)
        s.add_all([PublishSendRow(
            post_id=post_id, network=n.value, status=PostStatus.SCHEDULED.value,
            generation=gen, attempts=0, platform_id="", url="", error="",
            updated_at=_utc(now)) for n in networks])
        return gen

    def _move(self, s: Session, post_id: int, expected: Sequence[PostStatus],
              target: PostStatus, now: datetime, **values: Any) -> bool:
        done = s.execute(update(PublishPostRow).where(
            PublishPostRow.id == post_id,
            PublishPostRow.status.in_([x.value for x in expected]))
            .values(status=target.value, updated_at=_utc(now), **values))
        return bool(getattr(done, "rowcount", 0) == 1)

    def _drop_unclaimed(self, s: Session, post_id: int) -> None:
        """Remove the post's sends if none was claimed yet; raise `_Claimed` (the whole
        transaction rolls back) if one was."""
        claimed = s.scalars(select(PublishSendRow.id).where(
            PublishSendRow.post_id == post_id,
            PublishSendRow.status != PostStatus.SCHEDULED.value)).first()
        if claimed is not None:
            raise _Claimed
        s.execute(delete(PublishSendRow).where(PublishSendRow.post_id == post_id))

    # --- the outbox ----------------------------------------------------------------------

    def claim_send(self, post_id: int, network: Network, generation: int, job_id: int,
                   previous: int | None, *, now: datetime) -> Send | None:
        """Take the send for job ``job_id``: an unclaimed one of this generation, one this
        job already holds (its own retry), or one held by ``previous`` (a job that ended
        without finishing it). None when another job holds it or it is no longer this
        generation's."""
        with self.store.session() as s:
            row = s.scalars(select(PublishSendRow).where(
                PublishSendRow.post_id == post_id, PublishSendRow.network == network.value,
                PublishSendRow.generation == generation)).first()
            if row is None:
                return None
            if row.status in _STOPPED:
                return _send(row)  # settled: the caller sees it and stops
            ok = (row.status == PostStatus.SCHEDULED.value
                  or row.job_id is not None and row.job_id in (job_id, previous))
            if not ok:
                return None
            done = s.execute(update(PublishSendRow).where(
                PublishSendRow.id == row.id, PublishSendRow.status == row.status,
                PublishSendRow.attempts == row.attempts,
                (PublishSendRow.job_id.is_(None) if row.job_id is None
                 else PublishSendRow.job_id == row.job_id))
                .values(status=PostStatus.SENDING.value, job_id=job_id, updated_at=_utc(now)))
            if getattr(done, "rowcount", 0) != 1:
                return None
            self._settle(s, post_id, now)
            s.flush()
            s.refresh(row)
            return _send(row)

    def note_attempt(self, post_id: int, network: Network, job_id: int, *,
                     now: datetime) -> int | None:
        """Count one more try of the send held by ``job_id``, before it leaves; the count."""
        with self.store.session() as s:
            done = s.execute(update(PublishSendRow).where(
                PublishSendRow.post_id == post_id, PublishSendRow.network == network.value,
                PublishSendRow.job_id == job_id,
                PublishSendRow.status == PostStatus.SENDING.value)
                .values(attempts=PublishSendRow.attempts + 1, updated_at=_utc(now)))
            if getattr(done, "rowcount", 0) != 1:
                return None
            row = s.scalars(select(PublishSendRow).where(
                PublishSendRow.post_id == post_id,
                PublishSendRow.network == network.value)).one()
            return row.attempts

    def finish_send(self, post_id: int, network: Network, job_id: int, status: PostStatus,
                    *, now: datetime, platform_id: str = "", url: str = "",
                    error: str = "") -> bool:
        """Record what became of the send held by ``job_id`` (and the post's status)."""
        with self.store.session() as s:
            values: dict[str, Any] = {"status": status.value, "error": error,
                                      "updated_at": _utc(now)}
            if platform_id:
                values.update(platform_id=platform_id, url=url, sent_at=_utc(now))
            done = s.execute(update(PublishSendRow).where(
                PublishSendRow.post_id == post_id, PublishSendRow.network == network.value,
                PublishSendRow.job_id == job_id,
                PublishSendRow.status.in_([PostStatus.SENDING.value,
                                           PostStatus.UNKNOWN.value])).values(**values))
            if getattr(done, "rowcount", 0) != 1:
                return False
            self._settle(s, post_id, now)
            return True

    def _settle(self, s: Session, post_id: int, now: datetime) -> None:
        """The post's status from its sends' (once it is past scheduling)."""
        sends = s.scalars(select(PublishSendRow.status)
                          .where(PublishSendRow.post_id == post_id)).all()
        status = overall([PostStatus(x) for x in sends])
        s.execute(update(PublishPostRow).where(
            PublishPostRow.id == post_id,
            PublishPostRow.status.in_([x.value for x in _OUTBOX]))
            .values(status=status.value, updated_at=_utc(now)))


#: sends no job moves any more (unknown waits for a person)
_STOPPED = {PostStatus.PUBLISHED.value, PostStatus.FAILED.value, PostStatus.CANCELLED.value,
            PostStatus.UNKNOWN.value}
_OUTBOX = (PostStatus.SCHEDULED, PostStatus.SENDING, PostStatus.PUBLISHED, PostStatus.FAILED,
           PostStatus.UNKNOWN)
