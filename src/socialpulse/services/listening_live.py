"""Live listening: sources that bring mentions as they are posted.

Polled sources (Mastodon tag timelines and search, Bluesky search) run as a recurring job of
the one queue, ``listening.poll``: each run first queues the next one for the next slot of the
source's interval (key ``listen-poll:SOURCE:SLOT``, so two chains, a retried run or a second
`ensure_polling` merge into one job per slot and a failed read never stops the polling), then
reads what is new since the source's cursor, ingests it as one atomic lake batch and saves the
cursor. The firehose (Jetstream) is a long-running consumer (`stream`, started by `socialpulse
listen stream`) that commits a batch every ``batch_s`` seconds or ``batch_events`` events.

Either way the cursor is saved only after its mentions are committed, so a restart resumes
where the stored data ends; the few mentions read again carry the same ids (URIs) and the
lake keeps one row per mention and brand. After every batch that stored mentions the alert
rules are evaluated by a job (`AlertRules.request_evaluation`), not when a page is opened.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, MissingData, NotFound, SocialPulseError
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.rules_records import (
    DEFAULT_INSTANCE,
    SOURCE_KINDS,
    LiveSource,
)
from socialpulse.domain.models import Workspace
from socialpulse.services.jobs import JobContext, JobKind, JobService, register_kind
from socialpulse.services.listening_live_ports import LiveSourceAccess, LiveTables

log = logging.getLogger("socialpulse.listening.live")

POLL = "listening.poll"
LISTENER = Actor.system("listener")
MIN_INTERVAL_S, MAX_INTERVAL_S = 10, 86_400
#: the firehose's sentiment model: the fast one (named ``default`` before issue 16, its alias
#: after), as for any backfill of this volume; polled sources use listening's default
STREAM_MODE = "default"
_TAG = re.compile(r"^\w+$", re.UNICODE)


class Ingests(Protocol):
    """The listening service's ingest (`ListeningService.ingest`)."""

    def ingest(self, actor: Actor, ws: Workspace, source: Iterable[RawMention],
               mode: str = "default", model_path: str | None = None,
               source_name: str | None = None, chunk: int = ..., fmt: str = "mentions"
               ) -> Any: ...


class EvaluationRequests(Protocol):
    def request_evaluation(self, ws: Workspace) -> Any: ...


@dataclass
class StreamSummary:
    """What a firehose run did: events seen, posts read, mentions stored, batches."""

    events: int = 0
    posts: int = 0
    skipped: int = 0
    stored: int = 0
    batches: int = 0
    cursor: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _check_query(network: str, kind: str, query: str) -> str:
    q = query.strip()
    if kind == "tag":
        q = q.lstrip("#")
        if not _TAG.match(q):
            raise InvalidInput(f"--query: {query!r} is not a hashtag (letters, digits, _)")
    elif kind == "search":
        if not q or len(q) > 500:
            raise InvalidInput("--query: search words are required (at most 500 characters)")
    elif q:
        raise InvalidInput("--query: the firehose takes no query: the brand queries filter it")
    return q


class LiveListening:
    """Adding, listing and removing live sources; polling them; streaming the firehose."""

    def __init__(self, tables: LiveTables, access: LiveSourceAccess, listening: Ingests,
                 alerts: EvaluationRequests, jobs: JobService,
                 workspaces: Callable[[], list[Workspace]],
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.tables = tables
        self.access = access
        self.listening = listening
        self.alerts = alerts
        self.jobs = jobs
        self.workspaces = workspaces
        self.clock = clock

    # -- sources -------------------------------------------------------------------------------

    def add_source(self, actor: Actor, ws: Workspace, network: str, kind: str | None = None,
                   query: str = "", instance_url: str | None = None, interval_s: int = 60
                   ) -> LiveSource:
        """Listen to a source from now on; a polled one gets its first poll queued."""
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        network = network.strip().lower()
        kinds = [k for n, k in SOURCE_KINDS if n == network]
        if not kinds:
            raise InvalidInput(f"network: {network!r} has no live source; use one of "
                               f"{', '.join(dict.fromkeys(n for n, _ in SOURCE_KINDS))}")
        kind = (kind or kinds[0]).strip().lower()
        if kind not in kinds:
            raise InvalidInput(f"--kind: {network} sources are {', '.join(kinds)}")
        q = _check_query(network, kind, query)
        if not MIN_INTERVAL_S <= interval_s <= MAX_INTERVAL_S:
            raise InvalidInput(f"--every: from {MIN_INTERVAL_S} to {MAX_INTERVAL_S} seconds")
        url = self.access.check(network, kind, instance_url or DEFAULT_INSTANCE[network])
        src = self.tables.add_source(ws.id, network, kind, q, url, interval_s, self.clock())
        if network != "jetstream":
            self._queue_poll(src, self.clock())
        return src

    def sources(self, ws: Workspace) -> list[LiveSource]:
        return self.tables.sources(ws.id)

    def remove_source(self, actor: Actor, ws: Workspace, source_id: int) -> LiveSource:
        """Stop listening (its queued poll finds it gone and ends the chain)."""
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        return self.tables.remove_source(ws.id, source_id)

    def ensure_polling(self, ws: Workspace | None = None) -> int:
        """Queue the next poll of every polled source (idempotent: one job per slot)."""
        now = self.clock()
        n = 0
        for src in self.tables.sources(ws.id if ws else None):
            if src.network != "jetstream":
                self._queue_poll(src, now)
                n += 1
        return n

    def _queue_poll(self, src: LiveSource, now: datetime, after: bool = False) -> None:
        step = src.interval_s
        slot = int(now.timestamp()) // step + (1 if after else 0)
        run_at = datetime.fromtimestamp(slot * step, UTC) if after else now
        self.jobs.enqueue(LISTENER, POLL, {"source_id": src.id},
                          key=f"listen-poll:{src.id}:{slot}", run_at=run_at)

    # -- polling -------------------------------------------------------------------------------

    def _workspace(self, workspace_id: int) -> Workspace:
        for ws in self.workspaces():
            if ws.id == workspace_id:
                return ws
        raise NotFound(f"workspace {workspace_id} not found")

    def poll(self, source_id: int, chain: bool = True) -> dict[str, Any]:
        """Read one source now and store what is new (what the poll job runs)."""
        src = self.tables.source(source_id)
        if src is None:
            return {"source": source_id, "removed": True}
        now = self.clock()
        if chain:
            self._queue_poll(src, now, after=True)
        ws = self._workspace(src.workspace_id)
        try:
            read = self.access.poll(src)
        except SocialPulseError as exc:
            self.tables.save_cursor(src.id, None, 0, now, exc.message)
            raise
        stored = self._store(ws, src, read.mentions, read.cursor)
        return {"source": src.id, "label": src.label, "read": len(read.mentions),
                "skipped": read.skipped, "stored": stored}

    def _store(self, ws: Workspace, src: LiveSource, mentions: list[RawMention],
               cursor: str | None, mode: str | None = None) -> int:
        """Ingest one batch, then move the cursor past it; the rules are evaluated after."""
        stored = 0
        if mentions:
            how = {"mode": mode} if mode else {}
            summary = self.listening.ingest(LISTENER, ws, mentions,
                                            source_name=f"live {src.label}",
                                            chunk=len(mentions) + 1, **how)
            stored = int(summary.matched) if not summary.already_imported else 0
        self.tables.save_cursor(src.id, cursor, stored, self.clock())
        if stored:
            self.alerts.request_evaluation(ws)
        return stored

    # -- the firehose --------------------------------------------------------------------------

    def firehose_source(self, ws: Workspace, source_id: int | None = None) -> LiveSource:
        found = [s for s in self.tables.sources(ws.id) if s.network == "jetstream"
                 and (source_id is None or s.id == source_id)]
        if not found:
            raise MissingData(f"workspace {ws.slug!r} has no firehose source; add one with "
                              "`socialpulse listen sources add jetstream`")
        return found[0]

    def stream(self, actor: Actor, ws: Workspace, stop: threading.Event, *,
               source_id: int | None = None, batch_events: int = 500, batch_s: float = 1.0,
               max_events: int | None = None, mode: str = STREAM_MODE,
               on_batch: Callable[[StreamSummary], None] = lambda s: None) -> StreamSummary:
        """Consume the firehose until ``stop`` is set (or ``max_events`` events), storing the
        posts the brand queries match in batches and the cursor after each batch."""
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        src = self.firehose_source(ws, source_id)
        summary = StreamSummary(cursor=src.cursor)
        buf: list[RawMention] = []
        cursor: str | None = None
        started = time.monotonic()
        for item in self.access.firehose(src, stop):
            if item.time_us is not None:
                summary.events += 1
                cursor = str(item.time_us)
            summary.skipped += int(item.skipped)
            if item.mention is not None:
                summary.posts += 1
                buf.append(item.mention)
            done = max_events is not None and summary.events >= max_events
            if done or len(buf) >= batch_events or time.monotonic() - started >= batch_s:
                if buf or cursor is not None:
                    summary.stored += self._store(ws, src, buf, cursor, mode)
                    summary.batches += int(bool(buf))
                    summary.cursor = cursor or summary.cursor
                    on_batch(summary)
                buf, cursor, started = [], None, time.monotonic()
            if done:
                stop.set()
        if buf or cursor is not None:
            summary.stored += self._store(ws, src, buf, cursor, mode)
            summary.batches += int(bool(buf))
            summary.cursor = cursor or summary.cursor
        return summary


def _poll_job(ctx: JobContext) -> Mapping[str, Any]:
    live: LiveListening = ctx.services.listening_live
    return live.poll(int(ctx.payload["source_id"]))


register_kind(JobKind(
    # a read that fails (the instance is busy) is final: the next slot's poll is already
    # queued; a bug or the database away a moment is tried again (same successor key)
    POLL, "listening poll", _poll_job, Action.LISTENING_EDIT, max_attempts=3,
    backoff=timedelta(seconds=30), retry_errors=False,
    describe=lambda p: f"source {p.get('source_id')}",
    summary=lambda r: ("source removed" if r.get("removed") else
                       f"{r.get('label')}: {r.get('read')} read, {r.get('stored')} stored")))
