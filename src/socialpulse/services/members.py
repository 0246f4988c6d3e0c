"""Who is a member of which workspace, with what role; and the acting user built from that.

`actor_for` is how a signed-in user becomes an `Actor` (their roles read once per request);
`visible` is what a user may see, which the workspace switcher, the API's workspace list and
the default workspace of a page all use, so a user never learns of a workspace they are not a
member of. Writes need `Action.MEMBERS_EDIT` in the workspace, and `Action.OWNERS_EDIT` when
they make, change or remove an owner; a workspace always keeps an owner.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from socialpulse.domain.access import Member, UserRef
from socialpulse.domain.actor import Action, Actor, ActorKind, allowed, authorize
from socialpulse.domain.errors import NotFound
from socialpulse.domain.models import Workspace
from socialpulse.domain.roles import Role
from socialpulse.services.access_ports import AccessRepository, Clock, WorkspaceLookup


class UserLike(Protocol):
    """A signed-in user as the identity service answers them (`domain.identity.SignedInUser`)."""

    @property
    def id(self) -> int: ...

    @property
    def login(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def site_admin(self) -> bool: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


def user_actor(user: UserLike, roles: builtins.list[tuple[str, Role]]) -> Actor:
    """The `Actor` of a signed-in user with these memberships."""
    return Actor(f"user:{user.id}", user.name.strip() or user.login, ActorKind.USER,
                 user_id=user.id, site_admin=user.site_admin, roles=tuple(roles))


class MembersService:
    def __init__(self, repo: AccessRepository, workspaces: WorkspaceLookup,
                 clock: Clock = _utc_now) -> None:
        self.repo = repo
        self.workspaces = workspaces
        self.clock = clock

    # --- reads --------------------------------------------------------------------------------

    def actor_for(self, user: UserLike) -> Actor:
        """The acting user of a session: who they are and their role in each workspace."""
        return user_actor(user, self.repo.roles_of(user.id))

    def visible(self, actor: Actor) -> builtins.list[Workspace]:
        """The workspaces ``actor`` may see, by slug (everything for the local user, the
        system and site admins; a member's workspaces for anyone else)."""
        return [w for w in self.workspaces.list()
                if allowed(actor, Action.WORKSPACE_READ, w.slug)]

    def workspaces_of(self, actor: Actor) -> builtins.list[str]:
        """Slugs of `visible`."""
        return [w.slug for w in self.visible(actor)]

    def list(self, ws: Workspace) -> builtins.list[Member]:
        """The workspace's members, by login."""
        return self.repo.members(ws.id)

    # --- writes -------------------------------------------------------------------------------

    def add(self, actor: Actor, ws: Workspace, login: str, role: Role) -> Member:
        """Make the user of that login a member with ``role`` (Conflict if already one)."""
        return self._set(actor, ws, login, role, adding=True)

    def set_role(self, actor: Actor, ws: Workspace, login: str, role: Role) -> Member:
        """Change a member's role (NotFound if they are not a member)."""
        return self._set(actor, ws, login, role, adding=False)

    def remove(self, actor: Actor, ws: Workspace, login: str) -> None:
        """Take a member out of the workspace (their tokens lose it with them)."""
        authorize(actor, Action.MEMBERS_EDIT, ws.slug)
        user = self._user(login)
        before = self.repo.set_member(ws.id, user.id, None, now=self.clock(), adding=False,
                                      check_owner=self._owner_check(actor, ws))
        if before is None:
            raise self._not_member(ws, user)

    def creator_owns(self, actor: Actor, ws: Workspace) -> None:
        """A workspace just created by a signed-in user (or their token) has them as owner;
        the local user and the system are no users, so nothing is recorded for them."""
        authorize(actor, Action.WORKSPACE_CREATE)
        if actor.user_id is not None:
            self.repo.set_member(ws.id, actor.user_id, Role.OWNER, now=self.clock(),
                                 adding=True, check_owner=lambda: None)

    def _set(self, actor: Actor, ws: Workspace, login: str, role: Role, *,
             adding: bool) -> Member:
        authorize(actor, Action.MEMBERS_EDIT, ws.slug)
        user = self._user(login)
        if not adding and all(m.user_id != user.id for m in self.repo.members(ws.id)):
            raise self._not_member(ws, user)
        self.repo.set_member(ws.id, user.id, role, now=self.clock(), adding=adding,
                             check_owner=self._owner_check(actor, ws))
        return next(m for m in self.repo.members(ws.id) if m.user_id == user.id)

    @staticmethod
    def _owner_check(actor: Actor, ws: Workspace) -> Callable[[], None]:
        """What the repository runs when an owner is made, changed or removed (inside its
        transaction, where it knows the role before the change)."""
        return lambda: authorize(actor, Action.OWNERS_EDIT, ws.slug)

    def _user(self, login: str) -> UserRef:
        user = self.repo.user_by_login(login)
        if user is None:
            raise NotFound(f"user {login.strip()[:100]!r}: no such user; add them with "
                           f"`socialpulse users add {login.strip()[:100]}`")
        return user

    @staticmethod
    def _not_member(ws: Workspace, user: UserRef) -> NotFound:
        return NotFound(f"user {user.login!r} is not a member of workspace {ws.slug!r}")
