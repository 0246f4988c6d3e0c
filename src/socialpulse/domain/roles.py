"""Roles in a workspace and what each may do: the one permission table, as data.

A signed-in user (or their API token) holds one role per workspace they are a member of;
`domain.actor.allowed` looks the action up here. Changing who may do what is an edit of
`ROLE_GRANTS`, never a check in a service or a route.

- owner: everything in the workspace, including making and unmaking owners.
- admin: everything an owner may, except making or unmaking owners (so an admin can never
  remove the people who appointed them).
- analyst: reads, goals and OKRs, reports (edit and send), maturity answers and listening
  setup: the analysis work of the issue's "read + goals/reports", with the two other
  analytical tools alongside. Imports, removing data and settings stay with admins.
- publisher: read, and write, submit, schedule and cancel posts (publish.draft);
  approver: read, and approve or reject them (publish.approve); owners and admins both.
- agent: read, and answer and manage the inbox's conversations (inbox.reply, inbox.manage);
  owners and admins both.
- viewer: read only (an executive, an agency's client).

Site-wide actions (creating a workspace, building the demo, running jobs, managing users and
other people's API tokens: `SITE_ACTIONS`) belong to no role:
a site admin (the server's owner) holds them, and every action in every workspace.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from .actor import Action
from .errors import InvalidInput


class Role(StrEnum):
    """A member's role in one workspace (ordered from most to least powerful)."""

    OWNER = "owner"
    ADMIN = "admin"
    ANALYST = "analyst"
    PUBLISHER = "publisher"
    APPROVER = "approver"
    AGENT = "agent"
    VIEWER = "viewer"


_READ = frozenset({Action.WORKSPACE_READ})
_ANALYSIS = _READ | {
    Action.GOALS_EDIT,
    Action.REPORTS_EDIT,
    Action.REPORTS_SEND,
    Action.MATURITY_EDIT,
    Action.LISTENING_EDIT,
}
_ADMIN = _ANALYSIS | {
    Action.WORKSPACE_EDIT,
    Action.DATA_IMPORT,
    Action.DATA_REMOVE,
    Action.LAKE_MAINTAIN,
    Action.MEMBERS_EDIT,
    Action.AUDIT_READ,
    Action.CONNECTIONS_EDIT,
    Action.PUBLISH_DRAFT,
    Action.PUBLISH_APPROVE,
    Action.INBOX_REPLY,
    Action.INBOX_MANAGE,
}

ROLE_GRANTS: Mapping[Role, frozenset[Action]] = {
    Role.OWNER: _ADMIN | {Action.OWNERS_EDIT},
    Role.ADMIN: _ADMIN,
    Role.ANALYST: _ANALYSIS,
    Role.PUBLISHER: _READ | {Action.PUBLISH_DRAFT},
    Role.APPROVER: _READ | {Action.PUBLISH_APPROVE},
    Role.AGENT: _READ | {Action.INBOX_REPLY, Action.INBOX_MANAGE},
    Role.VIEWER: _READ,
}

#: What no role holds: site-wide actions (creating a workspace, building the demo, running
#: jobs, managing users and other people's tokens), held by site admins only. Grants are listed,
#: never "everything but", so an action added later belongs to site admins alone until the
#: table gives it to a role.
SITE_ACTIONS: frozenset[Action] = frozenset(Action).difference(*ROLE_GRANTS.values())

#: One line per role, shown by `socialpulse members` and the members page.
ROLE_HELP: Mapping[Role, str] = {
    Role.OWNER: "everything in the workspace, including its owners",
    Role.ADMIN: "everything but making or removing owners",
    Role.ANALYST: "read; goals, reports, maturity and listening",
    Role.PUBLISHER: "read; write, submit, schedule and cancel posts",
    Role.APPROVER: "read; approve or reject posts",
    Role.AGENT: "read; answer, assign, tag and close inbox conversations",
    Role.VIEWER: "read only",
}


def parse_role(text: str, field: str = "role") -> Role:
    """A role from what a person typed (case and spaces ignored); unknown -> a one-line
    InvalidInput naming the roles there are."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"{field}: unknown role {text.strip()[:40]!r}; use one of "
                           f"{', '.join(Role)}") from None
