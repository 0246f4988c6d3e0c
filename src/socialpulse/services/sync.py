"""Syncing a connected account, as jobs of the one queue (``connection.sync``).

A sync reads the account (followers) and its posts newest first, page by page, until it
reaches posts it already has that are older than the refresh window (their counters no longer
move much), or the end on a backfill. Everything fetched becomes ONE lake batch through the
importers' own path (the connector hands the API's JSON to the export parser; `ImportLake`
maps it to the lake): one natural key per post, so a synced post and the same post imported
from an export are one post, and the latest snapshot wins.

Scheduling reuses the queue: each sync job first queues the next day's (idempotency key
``sync:<connection>:<day>``), so the worker that runs today's sync enqueues tomorrow's; no
thread, no cron. ``socialpulse connections sync`` (or `enqueue_due`) queues any that are due,
e.g. after a connection was resumed. Two workers never sync one account at once: the
connection's own lease (`claim_sync`) besides the queue's claim. A sync that dies keeps its
observation time on the connection, so its retry writes the same batch (content-hashed:
nothing twice, nothing lost). Repeated sign-in failures (401) pause the connection with a
notice on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from socialpulse.domain.actor import Action, Actor
from socialpulse.domain.connections import (
    AUTH_FAILURES_TO_PAUSE,
    AuthFailed,
    Connection,
    ConnectionState,
    ConnectorError,
    Credentials,
    RawPost,
    next_sync,
    sync_day,
)
from socialpulse.domain.jobs import Job
from socialpulse.domain.models import Workspace
from socialpulse.services.connections_ports import ConnectionsRepository, Connector, Connectors
from socialpulse.services.jobs import JobContext, JobKind, JobService, register_kind
from socialpulse.services.ports import DataLake, ImportLake, SecretCipher, WorkspaceRepository

log = logging.getLogger("socialpulse.sync")

SYNC = "connection.sync"
Clock = Callable[[], datetime]
#: posts published within this many days get fresh counters at every daily sync
REFRESH_DAYS = 30
#: a backfill reads at most this many pages (a bound on one job's work)
MAX_PAGES = 500


class SyncService:
    """Runs one sync of a connection and queues the next."""

    def __init__(self, repo: ConnectionsRepository, connectors: Connectors,
                 cipher: SecretCipher, store: WorkspaceRepository, lake: DataLake,
                 tables: ImportLake, jobs: JobService, clock: Clock,
                 lease: timedelta = timedelta(minutes=10)) -> None:
        self.repo = repo
        self.connectors = connectors
        self.cipher = cipher
        self.store = store
        self.lake = lake
        self.tables = tables
        self.jobs = jobs
        self.clock = clock
        self.lease = lease

    # --- scheduling ----------------------------------------------------------------------

    def enqueue(self, actor: Actor, ws: Workspace, conn: Connection, *,
                backfill: bool = False, now: bool = False, at: datetime | None = None
                ) -> Job:
        """Queue a sync: the backfill on connect, one now (a person asked), or the daily
        one at ``at``; each key is one job however often it is asked for."""
        when = at or self.clock()
        if backfill:
            key = f"sync:{conn.token}:backfill"
        elif now:
            key = f"sync:{conn.token}:now:{when:%Y-%m-%dT%H:%M}"
        else:
            key = f"sync:{conn.token}:{sync_day(when)}"
        payload = {"connection": conn.id, "token": conn.token, "workspace": ws.slug,
                   "handle": conn.label}
        return self.jobs.enqueue(actor, SYNC, payload, key=key, run_at=when,
                                 workspace=ws.slug)

    def enqueue_due(self, actor: Actor, workspaces: list[Workspace]) -> list[Job]:
        """Queue today's sync of every active connection that is due (next sync passed)."""
        now = self.clock()
        by_id = {w.id: w for w in workspaces}
        out = []
        for conn in self.repo.connections():
            ws = by_id.get(conn.workspace_id)
            if ws is None or conn.state is not ConnectionState.ACTIVE:
                continue
            if conn.next_sync_at is None or conn.next_sync_at <= now:
                out.append(self.enqueue(actor, ws, conn, at=now))
        return out

    # --- the job -------------------------------------------------------------------------

    def run(self, ctx: JobContext) -> dict[str, Any]:
        """The ``connection.sync`` job."""
        conn = self.repo.get(int(ctx.payload["connection"]))
        if conn is None or conn.token != ctx.payload.get("token"):
            return {"skipped": "the connection was removed"}
        if conn.state is ConnectionState.PAUSED:
            return {"skipped": "the connection is paused"}
        ws = self.store.workspace(str(ctx.payload["workspace"]))
        now = self.clock()
        following = next_sync(now)
        self.enqueue(Actor.system("worker"), ws, conn, at=following)
        owner = f"job {ctx.job.id}"  # its retries (one runner at a time) take it over
        observed = self.repo.claim_sync(conn.id, owner, now=now, until=now + self.lease)
        if observed is None:
            raise ConnectorError(f"{conn.label}: another worker is syncing it; tried again "
                                 "after it finishes")
        connector = self._open(conn)
        try:
            return self._sync(ctx, ws, conn, connector, owner, observed, following)
        except ConnectorError as exc:
            self._failed(conn, connector, owner, exc, following)
            raise
        finally:
            connector.close()

    def _open(self, conn: Connection) -> Connector:
        token = self.repo.secret(conn.id)
        secret = self.cipher.decrypt(token, conn.label) if token else None
        return self.connectors.open(conn.network, conn.kind,
                                    Credentials(conn.server, conn.handle, secret))

    def _sync(self, ctx: JobContext, ws: Workspace, conn: Connection, connector: Connector,
              owner: str, observed: datetime, following: datetime) -> dict[str, Any]:
        account = connector.fetch_account()
        posts = self._posts(ctx, conn, connector, owner, observed)
        parsed = connector.to_parsed(posts, account, observed, ws.timezone)
        ids = {(conn.network, h): conn.account_id for h in _handles(parsed, account.handle)}
        tables = self.tables.tables([parsed], ids, ws.timezone)
        if "account_daily" in tables:
            tables["account_daily"] = self.tables.merge_daily(ws.id, tables["account_daily"])
        ctx.progress("writing", len(posts), len(posts))
        batch = None
        if any(len(t) for t in tables.values()):
            res = self.lake.ingest(ws.id, f"sync {conn.label}", conn.network.value, tables)
            batch = res.batch_id
        orders = [p.order for p in posts] + ([conn.cursor] if conn.cursor else [])
        cursor = max(orders) if orders else None
        new = sum(1 for p in posts if conn.cursor is None or p.order > conn.cursor)
        self.repo.finish_sync(conn.id, owner, now=self.clock(), ok=True,
                              quota=connector.quota, error=None, next_sync_at=following,
                              cursor=cursor, new_posts=new)
        return {"connection": conn.label, "posts": len(posts), "new_posts": new,
                "followers": account.followers, "batch_id": batch,
                "observed_at": observed.isoformat()}

    def _posts(self, ctx: JobContext, conn: Connection, connector: Connector, owner: str,
               observed: datetime) -> list[RawPost]:
        """Pages newest first until known posts older than the refresh window (or the end)."""
        refresh_from = observed - timedelta(days=REFRESH_DAYS)
        seen: dict[str, RawPost] = {}
        page: str | None = None
        for n in range(MAX_PAGES):
            got = connector.fetch_posts(page)
            for p in got.posts:
                seen.setdefault(p.post_id, p)
            ctx.progress("fetching posts", len(seen), len(seen) + (1 if got.next_page else 0))
            self.repo.extend_sync(conn.id, owner, until=self.clock() + self.lease)
            done = conn.cursor is not None and any(
                p.order <= conn.cursor and p.published_at < refresh_from for p in got.posts)
            if done or not got.next_page or n == MAX_PAGES - 1:
                break
            page = got.next_page
        return list(seen.values())

    def _failed(self, conn: Connection, connector: Connector, owner: str,
                exc: ConnectorError, following: datetime) -> None:
        """Record the error on the connection; pause it after repeated sign-in failures."""
        auth = isinstance(exc, AuthFailed)
        failures = conn.auth_failures + 1 if auth else conn.auth_failures
        pause = auth and failures >= AUTH_FAILURES_TO_PAUSE
        message = exc.message
        if pause:
            message = (f"paused after {failures} refused sign-ins ({exc.message}); connect "
                       "it again with new credentials, or `socialpulse connections resume "
                       f"{conn.id}` once they work again")
            log.warning("connection %s (%s): %s", conn.id, conn.label, message)
        self.repo.finish_sync(conn.id, owner, now=self.clock(), ok=False,
                              quota=connector.quota, error=message, next_sync_at=following,
                              auth_failed=auth, pause=pause)


def _handles(parsed: Any, own: str) -> set[str]:
    """Every handle the parsed tables name (the connected account's, in the importer's
    spelling), so each maps to the connection's account."""
    out = {own}
    for t in (parsed.posts, parsed.snapshots, parsed.daily):
        if t is not None and "handle" in t.column_names:
            out |= {h for h in t["handle"].to_pylist() if h}
    return out


def _describe(payload: Mapping[str, Any]) -> str:
    return f"{payload.get('workspace')}: {payload.get('handle')}"


def _summary(result: Mapping[str, Any]) -> str:
    if result.get("skipped"):
        return f"skipped: {result['skipped']}"
    return (f"{result.get('posts', 0)} posts read ({result.get('new_posts', 0)} new), "
            f"followers {result.get('followers')}")


register_kind(JobKind(
    SYNC, "account sync", lambda ctx: ctx.services.connections.sync.run(ctx),
    Action.CONNECTIONS_EDIT, max_attempts=3, backoff=timedelta(minutes=5),
    retry_errors=True, describe=_describe, summary=_summary))


def utc_now() -> datetime:
    return datetime.now(UTC)
