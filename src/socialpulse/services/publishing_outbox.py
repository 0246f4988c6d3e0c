"""The outbox: each (post, network) send is a ``publish.send`` job that publishes exactly once.

A send is claimed in the store by one job (a compare-and-set naming the job), so a cancel and
a worker, or two workers, never both win. Before the request leaves, the job
1. queues its own follow-up (``publish:<post>:<network>:check<n>``, a while later), which takes
   the send over only once this job has ended without finishing it (a worker killed after the
   request left leaves the job "outcome unknown" under ``unknown-once-outside``);
2. counts the try on the send and says it acts outside (`JobContext.acting_outside`).
Any later try, by the job's own retry or by a follow-up, first looks the post up on the
network (Mastodon: the account's statuses since the schedule with this text; Bluesky: the
record at the send's deterministic rkey) and records "published" if it is there; only then
sends again, with the same Idempotency-Key or rkey, so even a lost look-up lands on the same
post. A timeout after the request left is never resent blindly. After `MAX_SENDS` tries the
send waits for a person ("outcome unknown"). 429 and 5xx answers are waited out by the
connector's client; a refusal (a 4xx with the network's words) fails the send with them.

A published post enters the lake at once as a post of its account, through the importers'
own path (`ImportLake`), with the natural key a later sync or export import gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from socialpulse.domain.actor import Action, Actor
from socialpulse.domain.connections import (
    Connection,
    ConnectorError,
    Credentials,
    RawPost,
    Unavailable,
)
from socialpulse.domain.jobs import OnExpiry
from socialpulse.domain.platforms import Network
from socialpulse.domain.publishing import (
    OutcomeUnknown,
    Post,
    PostStatus,
    Published,
    Send,
    Variant,
    idempotency_key,
    record_key,
    tagged,
)
from socialpulse.services.connections_ports import ConnectionsRepository, Connector, Connectors
from socialpulse.services.jobs import JobContext, JobKind, JobService, register_kind
from socialpulse.services.ports import DataLake, ImportLake, SecretCipher, WorkspaceRepository
from socialpulse.services.publishing import SEND, job_key
from socialpulse.services.publishing_ports import Publisher, PublishingRepository

Clock = Callable[[], datetime]
#: tries of one send (each looked up first) before a person is asked
MAX_SENDS = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


class Outbox:
    """Runs ``publish.send`` jobs."""

    def __init__(self, repo: PublishingRepository, connections: ConnectionsRepository,
                 connectors: Connectors, cipher: SecretCipher, store: WorkspaceRepository,
                 lake: DataLake, tables: ImportLake, jobs: JobService, clock: Clock = utc_now,
                 follow_after: timedelta = timedelta(minutes=3)) -> None:
        self.repo = repo
        self.connections = connections
        self.connectors = connectors
        self.cipher = cipher
        self.store = store
        self.lake = lake
        self.tables = tables
        self.jobs = jobs
        self.clock = clock
        self.follow_after = follow_after

    def run(self, ctx: JobContext) -> dict[str, Any]:
        """The ``publish.send`` job."""
        p = ctx.payload
        post = self.repo.get(int(p["post"]))
        network = Network(str(p["network"]))
        variant = post.variant(network) if post is not None else None
        if post is None or variant is None:
            return {"skipped": "the post was removed"}
        previous = p.get("previous")
        if previous is not None and not self.jobs.get(int(previous)).state.final:
            raise Unavailable(f"post {post.id}: the earlier try is still on its way; looked "
                              "at again later")
        send = self.repo.claim_send(post.id, network, int(p["generation"]), ctx.job.id,
                                    int(previous) if previous is not None else None,
                                    now=self.clock())
        if send is None:
            return {"skipped": "cancelled, rescheduled or held by another try"}
        if send.status is not PostStatus.SENDING:
            return {"skipped": f"already {send.status.words}", "post": post.id}
        conn = self.connections.get(variant.connection_id)
        if conn is None:
            return self._fail(ctx, post, network, "its account was disconnected")
        connector = self._open(conn)
        try:
            return self._deliver(ctx, post, send, tagged(variant, post.campaign), conn,
                                 connector)
        except (OutcomeUnknown, Unavailable) as exc:
            if ctx.job.attempts >= ctx.job.max_attempts and not self._tried(post.id, network):
                return self._fail(ctx, post, network, exc.message)  # nothing ever left
            raise  # tried again later, looking first (or by the follow-up already queued)
        except ConnectorError as exc:  # a refusal in the network's words (AuthFailed too)
            return self._fail(ctx, post, network, exc.message)
        finally:
            connector.close()

    def _open(self, conn: Connection) -> Connector:
        token = self.connections.secret(conn.id)
        secret = self.cipher.decrypt(token, conn.label) if token else None
        return self.connectors.open(conn.network, conn.kind,
                                    Credentials(conn.server, conn.handle, secret))

    def _deliver(self, ctx: JobContext, post: Post, send: Send, variant: Variant,
                 conn: Connection, connector: Connector) -> dict[str, Any]:
        if not hasattr(connector, "publish"):
            raise ConnectorError(f"{conn.label}: publishing to this network is not supported")
        publisher = cast(Publisher, connector)
        ikey = idempotency_key(post.workspace_id, post.id, send.network)
        rkey = record_key(post.workspace_id, post.id)
        tries = send.attempts
        while True:
            if tries > 0:  # something may have left before: look first, never blindly
                since = (post.scheduled_at or self.clock()) - timedelta(minutes=5)
                found = publisher.find(variant, ikey, rkey, since)
                if found is not None:
                    return self._published(ctx, post, send.network, conn, connector, found,
                                           looked_up=True)
            if tries >= MAX_SENDS:
                return self._ask_person(ctx, post, send.network,
                                        f"not confirmed after {tries} tries")
            self._follow_up(ctx, post.id, send.network, tries + 1)
            counted = self.repo.note_attempt(post.id, send.network, ctx.job.id,
                                             now=self.clock())
            if counted is None:
                return {"skipped": "held by another try", "post": post.id}
            tries = counted
            ctx.acting_outside()
            try:
                done = publisher.publish(variant, ikey, rkey)
            except OutcomeUnknown:
                continue  # the answer was lost: look it up before anything else
            return self._published(ctx, post, send.network, conn, connector, done,
                                   looked_up=False)

    def _follow_up(self, ctx: JobContext, post_id: int, network: Network, attempt: int
                   ) -> None:
        """Queue the job that takes this send over if this one dies after it leaves."""
        gen = int(ctx.payload["generation"])
        self.jobs.enqueue(Actor.system("worker"), SEND, dict(ctx.payload, previous=ctx.job.id),
                          key=f"{job_key(post_id, network, gen)}:check{attempt}",
                          run_at=self.clock() + self.follow_after,
                          workspace=str(ctx.payload.get("workspace")))

    def _published(self, ctx: JobContext, post: Post, network: Network, conn: Connection,
                   connector: Connector, done: Published, *, looked_up: bool
                   ) -> dict[str, Any]:
        self.repo.finish_send(post.id, network, ctx.job.id, PostStatus.PUBLISHED,
                              now=self.clock(), platform_id=done.platform_id, url=done.url)
        batch = self._to_lake(str(ctx.payload["workspace"]), conn, connector, done)
        return {"post": post.id, "network": network.value, "platform_id": done.platform_id,
                "url": done.url, "found_on_network": looked_up, "batch_id": batch}

    def _to_lake(self, slug: str, conn: Connection, connector: Connector, done: Published
                 ) -> str | None:
        """The new post as a post of its account, through the importers' path (its natural
        key is the one a sync or an export gives it)."""
        ws = self.store.workspace(slug)
        observed = self.clock()
        account = connector.fetch_account()
        raw = RawPost(done.platform_id, done.published_at, done.platform_id, done.raw)
        parsed = connector.to_parsed([raw], account, observed, ws.timezone)
        ids = {(conn.network, account.handle): conn.account_id}
        if parsed.posts is not None and "handle" in parsed.posts.column_names:
            ids |= {(conn.network, h): conn.account_id
                    for h in parsed.posts["handle"].to_pylist() if h}
        tables = self.tables.tables([parsed], ids, ws.timezone)
        tables.pop("account_daily", None)  # followers are the sync's to record
        if not any(len(t) for t in tables.values()):
            return None
        res = self.lake.ingest(ws.id, f"published {conn.label}", conn.network.value, tables)
        return str(res.batch_id)

    def _tried(self, post_id: int, network: Network) -> bool:
        post = self.repo.get(post_id)
        send = next((s for s in post.sends if s.network is network), None) if post else None
        return send is not None and send.attempts > 0

    def _fail(self, ctx: JobContext, post: Post, network: Network, message: str
              ) -> dict[str, Any]:
        self.repo.finish_send(post.id, network, ctx.job.id, PostStatus.FAILED,
                              now=self.clock(), error=message)
        return {"post": post.id, "network": network.value, "failed": message}

    def _ask_person(self, ctx: JobContext, post: Post, network: Network, message: str
                    ) -> dict[str, Any]:
        text = (f"{message}; check the account on {network.value}: the post may be there, "
                "and it is not sent again by itself")
        self.repo.finish_send(post.id, network, ctx.job.id, PostStatus.UNKNOWN,
                              now=self.clock(), error=text)
        return {"post": post.id, "network": network.value, "unknown": text}


def _describe(payload: Mapping[str, Any]) -> str:
    check = " (check)" if payload.get("previous") is not None else ""
    return f"{payload.get('workspace')}: post {payload.get('post')} to " \
           f"{payload.get('network')}{check}"


def _summary(result: Mapping[str, Any]) -> str:
    if result.get("skipped"):
        return f"skipped: {result['skipped']}"
    if result.get("failed"):
        return f"refused: {result['failed']}"
    if result.get("unknown"):
        return f"a person must check: {result['unknown']}"
    how = " (found on the network)" if result.get("found_on_network") else ""
    return f"published {result.get('url') or result.get('platform_id')}{how}"


register_kind(JobKind(
    SEND, "post publishing", lambda ctx: ctx.services.outbox.run(ctx), Action.PUBLISH_DRAFT,
    max_attempts=5, backoff=timedelta(seconds=20), on_expiry=OnExpiry.UNKNOWN_ONCE_OUTSIDE,
    retry_errors=True, describe=_describe, summary=_summary))
