"""Who is acting, and the one place that decides what they may do.

Every service write takes an `Actor` and calls `authorize(actor, action, workspace)` before it
changes anything, and every read of a workspace asks `allowed(actor, WORKSPACE_READ, slug)` at
the interfaces' chokepoints. The local user of the machine (CLI, pages and API of a local
`serve` with no users) and system tasks (the scheduler, a worker) may do everything. A signed-in
user, and an API token acting for one, may do what their role in that workspace grants
(`domain.roles.ROLE_GRANTS`, data); a site admin may do everything; a token may be narrowed to
reads and to some workspaces.

Pure: the interfaces resolve who acts (login name, session, token, memberships) and pass it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .change_log import note_authorized
from .errors import Forbidden, InvalidInput

if TYPE_CHECKING:
    from .roles import Role


class ActorKind(StrEnum):
    """What kind of party acts: it decides which grants apply."""

    LOCAL_USER = "local_user"  # the person at this machine (CLI, a local serve)
    SYSTEM = "system"  # a background task: scheduler, worker, migrations
    USER = "user"  # a signed-in user (issue 14)
    API_TOKEN = "api_token"  # noqa: S105 - a kind, not a secret: a script's token (issue 14)


class Action(StrEnum):
    """The vocabulary of writes; a role (later) is a set of these."""

    WORKSPACE_CREATE = "workspace.create"
    WORKSPACE_EDIT = "workspace.edit"  # settings, accounts, brands
    DATA_IMPORT = "data.import"  # posts, audience, mentions, templates
    DATA_REMOVE = "data.remove"  # remove an import batch
    LAKE_MAINTAIN = "lake.maintain"  # compaction
    DEMO_BUILD = "demo.build"
    GOALS_EDIT = "goals.edit"  # goals, OKRs, check-ins
    MATURITY_EDIT = "maturity.edit"  # answers, assessments
    REPORTS_EDIT = "reports.edit"  # reports, branding, schedules
    REPORTS_SEND = "reports.send"  # run a schedule, deliver a report
    LISTENING_EDIT = "listening.edit"  # topics, queries, ingest
    JOBS_RUN = "jobs.run"  # claim and run queued jobs
    WORKSPACE_READ = "workspace.read"  # see a workspace's data (every page and read API)
    MEMBERS_EDIT = "members.edit"  # invite, change or remove a workspace's members
    AUDIT_READ = "audit.read"  # read the activity log (who changed what)
    CONNECTIONS_EDIT = "connections.edit"  # connect, sync or disconnect a network account
    OWNERS_EDIT = "members.owners"  # make someone an owner, or change or remove an owner
    TOKENS_EDIT = "tokens.edit"  # create, list or revoke other people's API tokens
    USERS_EDIT = "users.edit"  # add, disable or enable users, issue reset links (site-wide)
    PUBLISH_DRAFT = "publish.draft"  # write, submit, schedule and cancel posts
    PUBLISH_APPROVE = "publish.approve"  # approve or reject submitted posts
    INBOX_REPLY = "inbox.reply"  # answer conversations of the inbox
    INBOX_MANAGE = "inbox.manage"  # assign, claim, change status, tag and note conversations


ACTION_HELP: Mapping[Action, str] = {
    Action.WORKSPACE_CREATE: "create a workspace",
    Action.WORKSPACE_EDIT: "change a workspace's settings, accounts or brands",
    Action.DATA_IMPORT: "import data",
    Action.DATA_REMOVE: "remove imported data",
    Action.LAKE_MAINTAIN: "compact the data lake",
    Action.DEMO_BUILD: "build the demo workspace",
    Action.GOALS_EDIT: "change goals and OKRs",
    Action.MATURITY_EDIT: "change maturity answers",
    Action.REPORTS_EDIT: "change reports and their schedules",
    Action.REPORTS_SEND: "send reports",
    Action.LISTENING_EDIT: "change listening topics and mentions",
    Action.JOBS_RUN: "run background jobs",
    Action.WORKSPACE_READ: "see this workspace",
    Action.MEMBERS_EDIT: "change the workspace's members",
    Action.AUDIT_READ: "read the activity log",
    Action.CONNECTIONS_EDIT: "connect or disconnect network accounts",
    Action.OWNERS_EDIT: "make, change or remove the workspace's owners",
    Action.TOKENS_EDIT: "manage other people's API tokens",
    Action.USERS_EDIT: "add, disable or enable users or reset their passwords",
    Action.PUBLISH_DRAFT: "write and schedule posts",
    Action.PUBLISH_APPROVE: "approve posts",
    Action.INBOX_REPLY: "reply to inbox conversations",
    Action.INBOX_MANAGE: "assign, tag, note or change the status of inbox conversations",
}

GRANTS: Mapping[ActorKind, frozenset[Action]] = {
    ActorKind.LOCAL_USER: frozenset(Action),
    ActorKind.SYSTEM: frozenset(Action),
    ActorKind.USER: frozenset(),  # from their roles (see `allowed`)
    ActorKind.API_TOKEN: frozenset(),  # from their user's roles, narrowed by the token's scope
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a stable id (what records keep), a display name and a kind.

    A signed-in user or token also carries the user's id, whether they are a site admin, and
    their role in each workspace they are a member of (slug, role), resolved once per request
    or command. A token may be ``read_only`` and limited to ``token_workspaces`` (slugs; None:
    every workspace its user may see)."""

    id: str
    name: str
    kind: ActorKind
    user_id: int | None = None
    site_admin: bool = False
    roles: tuple[tuple[str, Role], ...] = ()
    read_only: bool = False
    token_workspaces: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.id.strip() or not self.name.strip():
            raise InvalidInput(f"actor: id and name must not be empty (got {self.id!r})")

    @classmethod
    def local(cls, login: str) -> Actor:
        """The local user of this machine, named by their login (resolved by the interface)."""
        login = login.strip() or "local"
        return cls(f"local:{login}", login, ActorKind.LOCAL_USER)

    @classmethod
    def system(cls, task: str) -> Actor:
        """A background task acting on its own behalf (e.g. "scheduler", "worker")."""
        return cls(f"system:{task}", f"socialpulse {task}", ActorKind.SYSTEM)

    def role_in(self, workspace: str) -> Role | None:
        """This user's role in the workspace of that slug (None: not a member)."""
        return next((role for slug, role in self.roles if slug == workspace), None)

    def as_record(self) -> dict[str, str]:
        """A plain mapping to store beside a job or a change (read back with `from_record`)."""
        return {"id": self.id, "name": self.name, "kind": self.kind.value}

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Actor:
        try:
            return cls(record["id"], record["name"], ActorKind(record["kind"]))
        except (KeyError, ValueError):
            raise InvalidInput(f"actor: unreadable record {dict(record)!r}") from None


def allowed(actor: Actor, action: Action, workspace: str | None = None) -> bool:
    """Whether `actor` may do `action` (in the workspace of that slug, if any).

    The local user and the system hold every action. A user holds every action if they are a
    site admin, else what their role in ``workspace`` grants (nothing outside a workspace, nor
    in one they are not a member of). A token holds what its user holds, and only reads if it
    is read-only, and only in its workspaces if it names some."""
    if actor.kind in (ActorKind.LOCAL_USER, ActorKind.SYSTEM):
        return action in GRANTS[actor.kind]
    if actor.kind is ActorKind.API_TOKEN:
        if actor.read_only and action is not Action.WORKSPACE_READ:
            return False
        if actor.token_workspaces is not None and workspace not in actor.token_workspaces:
            return False
    if actor.site_admin:
        return True
    from .roles import ROLE_GRANTS  # roles.py imports Action from here

    role = actor.role_in(workspace) if workspace is not None else None
    return role is not None and action in ROLE_GRANTS[role]


def authorize(actor: Actor, action: Action, workspace: str | None = None) -> None:
    """The one permission chokepoint of every write: returns, or raises `Forbidden` naming who,
    what and where."""
    if not allowed(actor, action, workspace):
        where = f" in workspace {workspace!r}" if workspace else ""
        raise Forbidden(f"{actor.name} ({actor.kind.value}) may not {ACTION_HELP[action]}{where}")
    note_authorized(actor, action.value, workspace)  # stamps the activity log entries
