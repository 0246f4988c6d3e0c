"""Who is acting, and the one place that decides what they may do.

Every service write takes an `Actor` and calls `authorize(actor, action, workspace)` before it
changes anything. Today the actors are the local user of the machine (CLI, pages and API of a
local `serve`) and system tasks (the scheduler, a worker); both may do everything they do now.
Signed-in users and API tokens (issue 14) are known kinds but hold no grant until roles exist, so
adding roles changes `GRANTS` (data) and this function, not the services.

Pure: the interfaces resolve who the local user is (their login name) and pass it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .errors import Forbidden, InvalidInput


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
}

GRANTS: Mapping[ActorKind, frozenset[Action]] = {
    ActorKind.LOCAL_USER: frozenset(Action),
    ActorKind.SYSTEM: frozenset(Action),
    ActorKind.USER: frozenset(),
    ActorKind.API_TOKEN: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a stable id (what records keep), a display name and a kind."""

    id: str
    name: str
    kind: ActorKind

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
    """Whether `actor` may do `action` (in the workspace of that slug, if any). Today the grant
    depends on the kind alone; roles per workspace (issue 14) will use `workspace` here."""
    return action in GRANTS[actor.kind]


def authorize(actor: Actor, action: Action, workspace: str | None = None) -> None:
    """The one permission chokepoint of every write: returns, or raises `Forbidden` naming who,
    what and where."""
    if not allowed(actor, action, workspace):
        where = f" in workspace {workspace!r}" if workspace else ""
        raise Forbidden(f"{actor.name} ({actor.kind.value}) may not {ACTION_HELP[action]}{where}")
