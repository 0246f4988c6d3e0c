"""Publishing's workflow: write a draft, submit it, approve or reject it, schedule, cancel.

Every write takes the acting `Actor` and is authorized: writing, submitting, scheduling and
cancelling need ``publish.draft`` (a publisher), approving and rejecting ``publish.approve``
(an approver); owners and admins hold both. Each move is a compare-and-set in the store, so
two people (or a person and the outbox's worker) never both win: cancelling or editing a
scheduled post works until its send is claimed, then the outbox alone moves it.

Scheduling turns the local time the person gave, in the workspace's zone (or one they name),
into a UTC instant (`domain.publishing.local_to_utc`: a time the DST gap skips is refused,
one the fold repeats means its first occurrence unless ``later``), and queues one
``publish.send`` job per network at that instant (`services/publishing_outbox.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.connections import ConnectionKind, ConnectionState
from socialpulse.domain.errors import Conflict, InvalidInput, NotFound
from socialpulse.domain.models import Workspace
from socialpulse.domain.platforms import Network
from socialpulse.domain.publishing import (
    PUBLISHABLE,
    Post,
    PostStatus,
    Variant,
    check_post,
    local_to_utc,
    send_key,
)
from socialpulse.services.connections_ports import ConnectionsRepository
from socialpulse.services.jobs import JobService
from socialpulse.services.publishing_ports import PublishingRepository

Clock = Callable[[], datetime]

#: the job kind of one (post, network) send (registered in `services/publishing_outbox.py`)
SEND = "publish.send"
#: statuses whose content may still change (back to draft; a scheduled one until claimed)
EDITABLE = (PostStatus.DRAFT, PostStatus.SUBMITTED, PostStatus.REJECTED, PostStatus.APPROVED,
            PostStatus.SCHEDULED)
CANCELLABLE = EDITABLE


def utc_now() -> datetime:
    return datetime.now(UTC)


def zone_of(name: str) -> tzinfo:
    """An IANA zone by name, or a one-line error naming it."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"zone: {name.strip()[:60]!r} is not a time zone such as "
                           "Europe/Madrid") from None


def job_key(post_id: int, network: Network, generation: int) -> str:
    """The send's queue key: ``publish:<post>:<network>`` the first time it is scheduled,
    with the generation after (a re-approved post's new send is a new job)."""
    base = send_key(post_id, network)
    return base if generation <= 1 else f"{base}:{generation}"


class PublishingService:
    """Drafts, approvals and schedules of one app database's workspaces."""

    def __init__(self, repo: PublishingRepository, connections: ConnectionsRepository,
                 jobs: JobService, clock: Clock = utc_now) -> None:
        self.repo = repo
        self.connections = connections
        self.jobs = jobs
        self.clock = clock

    # --- reads ---------------------------------------------------------------------------

    def get(self, ws: Workspace, post_id: int) -> Post:
        post = self.repo.get(post_id)
        if post is None or post.workspace_id != ws.id:
            raise NotFound(f"post {post_id} not found in workspace {ws.slug!r}")
        return post

    def posts(self, ws: Workspace, statuses: Sequence[PostStatus] | None = None
              ) -> list[Post]:
        return self.repo.posts(ws.id, statuses)

    # --- writing -------------------------------------------------------------------------

    def draft(self, actor: Actor, ws: Workspace, variants: Sequence[Variant], *,
              campaign: str = "", goal: str = "", accounts: Sequence[str] = ()) -> Post:
        """A new draft: every problem of every variant refused in one line, nothing kept."""
        authorize(actor, Action.PUBLISH_DRAFT, ws.slug)
        chosen = self._checked(ws, variants, accounts, campaign, goal)
        return self.repo.create(ws.id, actor.id, campaign.strip()[:200], goal.strip()[:200],
                                ws.timezone, chosen, now=self.clock())

    def edit(self, actor: Actor, ws: Workspace, post_id: int, variants: Sequence[Variant], *,
             campaign: str | None = None, goal: str | None = None,
             accounts: Sequence[str] = ()) -> Post:
        """New content: the post goes back to draft (to be approved again); a scheduled one
        only while no send was claimed."""
        authorize(actor, Action.PUBLISH_DRAFT, ws.slug)
        post = self.get(ws, post_id)
        chosen = self._checked(ws, variants, accounts, campaign or "", goal or "")
        ok = self.repo.edit(post_id, EDITABLE, (campaign if campaign is not None
                                                else post.campaign).strip()[:200],
                            (goal if goal is not None else post.goal).strip()[:200], chosen,
                            now=self.clock())
        if not ok:
            raise Conflict(f"post {post_id}: is {self.get(ws, post_id).status.words}; it can "
                           "no longer be edited")
        return self.get(ws, post_id)

    def _checked(self, ws: Workspace, variants: Sequence[Variant], accounts: Sequence[str],
                 *words: str) -> list[Variant]:
        if any("\x00" in w for w in (*words, *accounts)):
            raise InvalidInput("campaign, goal and accounts must not hold NUL characters")
        found = check_post(variants)
        if found:
            raise InvalidInput("; ".join(found))
        return [replace(v, connection_id=self._account(ws, v.network, accounts))
                for v in variants]

    def _account(self, ws: Workspace, network: Network, accounts: Sequence[str]) -> int:
        """The connected own account a variant goes out from: the one named among
        ``accounts`` for that network, or the workspace's only one."""
        if network not in PUBLISHABLE:
            raise InvalidInput(f"{network.value}: publishing to this network is not supported "
                               f"(use {', '.join(n.value for n in PUBLISHABLE)})")
        own = [c for c in self.connections.connections(ws.id)
               if c.network is network and c.kind is ConnectionKind.OWN
               and c.state is ConnectionState.ACTIVE]
        named = [c for c in own if c.handle.lstrip("@") in {a.lstrip("@") for a in accounts}]
        if len(named) == 1 or len(own) == 1:
            return (named or own)[0].id
        if not own:
            raise InvalidInput(f"{network.value}: no own account is connected in workspace "
                               f"{ws.slug!r}; connect one first (socialpulse connect)")
        raise InvalidInput(f"{network.value}: {len(own)} accounts are connected; name one "
                           f"with --account ({', '.join(c.handle for c in own)})")

    # --- the workflow --------------------------------------------------------------------

    def submit(self, actor: Actor, ws: Workspace, post_id: int) -> Post:
        authorize(actor, Action.PUBLISH_DRAFT, ws.slug)
        return self._move(ws, post_id, (PostStatus.DRAFT,), PostStatus.SUBMITTED)

    def approve(self, actor: Actor, ws: Workspace, post_id: int, comment: str = "") -> Post:
        authorize(actor, Action.PUBLISH_APPROVE, ws.slug)
        return self._move(ws, post_id, (PostStatus.SUBMITTED,), PostStatus.APPROVED,
                          comment.strip()[:2000])

    def reject(self, actor: Actor, ws: Workspace, post_id: int, comment: str) -> Post:
        """Send it back to its author with a comment saying why (required)."""
        authorize(actor, Action.PUBLISH_APPROVE, ws.slug)
        if not comment.strip():
            raise InvalidInput("comment: say why the post is rejected (its author reads it)")
        return self._move(ws, post_id, (PostStatus.SUBMITTED,), PostStatus.REJECTED,
                          comment.strip()[:2000])

    def cancel(self, actor: Actor, ws: Workspace, post_id: int) -> Post:
        """Cancel it, until a worker has claimed one of its sends."""
        authorize(actor, Action.PUBLISH_DRAFT, ws.slug)
        return self._move(ws, post_id, CANCELLABLE, PostStatus.CANCELLED)

    def _move(self, ws: Workspace, post_id: int, expected: Sequence[PostStatus],
              target: PostStatus, comment: str | None = None) -> Post:
        if comment is not None and "\x00" in comment:
            raise InvalidInput("comment: must not hold NUL characters")
        post = self.get(ws, post_id)
        if post.status not in expected or not self.repo.move(
                post_id, expected, target, now=self.clock(), comment=comment):
            now = self.get(ws, post_id).status
            raise Conflict(f"post {post_id}: is {now.words}; it cannot become {target.words}")
        return self.get(ws, post_id)

    def schedule(self, actor: Actor, ws: Workspace, post_id: int, local: datetime, *,
                 zone: str | None = None, later: bool = False) -> Post:
        """Schedule an approved post (or move a scheduled one whose sends are unclaimed) at
        a local time, and queue its sends at that instant."""
        authorize(actor, Action.PUBLISH_DRAFT, ws.slug)
        name = (zone or ws.timezone).strip()
        at = local_to_utc(local, zone_of(name), name, later=later)
        if at <= self.clock():
            raise InvalidInput(f"scheduled time {local:%Y-%m-%d %H:%M} {name} has passed")
        post = self.get(ws, post_id)
        networks = [v.network for v in post.variants]
        gen = self.repo.schedule(post_id, (PostStatus.APPROVED, PostStatus.SCHEDULED), local,
                                 name, at, networks, now=self.clock())
        if gen is None:
            raise Conflict(f"post {post_id}: is {self.get(ws, post_id).status.words}; only an "
                           "approved post can be scheduled")
        for network in networks:
            payload = {"post": post_id, "network": network.value, "generation": gen,
                       "workspace": ws.slug}
            self.jobs.enqueue(actor, SEND, payload, key=job_key(post_id, network, gen),
                              run_at=at, workspace=ws.slug)
        return self.get(ws, post_id)


#: The fields of `post_record` a table shows, in order.
COLUMNS = ["id", "status", "scheduled", "networks", "campaign", "text", "published"]


def post_record(p: Post) -> dict[str, object]:
    """A post as people and scripts see it (CLI, API): statuses in words, the schedule as the
    local time and zone asked for plus its UTC instant, each send's platform id and error."""
    when = (f"{p.scheduled_local:%Y-%m-%d %H:%M} {p.zone}" if p.scheduled_local is not None
            else "")
    first = p.variants[0].text if p.variants else ""
    return {
        "id": p.id, "status": p.status.words, "state": p.status.value, "scheduled": when,
        "scheduled_utc": p.scheduled_at.isoformat() if p.scheduled_at else None,
        "networks": ", ".join(v.network.value for v in p.variants),
        "campaign": p.campaign, "goal": p.goal,
        "text": first if len(first) <= 40 else first[:39] + "…",
        "comment": p.comment,
        "published": ", ".join(s.url or s.platform_id for s in p.sends if s.platform_id),
        "variants": [{"network": v.network.value, "text": v.text, "links": list(v.links)}
                     for v in p.variants],
        "sends": [{"network": s.network.value, "status": s.status.words,
                   "state": s.status.value, "attempts": s.attempts,
                   "platform_id": s.platform_id, "url": s.url, "error": s.error}
                  for s in p.sends],
    }
