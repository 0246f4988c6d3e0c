"""What `services/members.py` and `services/tokens.py` need from adapters: memberships, tokens
and a read of the users' table.

Kept beside `services/ports.py` (same rules: Protocols only; `bootstrap.py` passes
`adapters/store/access_repo.AccessRepo`), so the two access services do not grow that shared
module past its size limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from socialpulse.domain.access import ApiToken, Member, UserRef
from socialpulse.domain.models import Workspace
from socialpulse.domain.roles import Role

#: The clock the access services read (tests pass one they move).
Clock = Callable[[], datetime]


class AccessRepository(Protocol):
    """Memberships and API tokens (each method one transaction)."""

    def user_by_login(self, login: str) -> UserRef | None: ...

    def user_by_id(self, user_id: int) -> UserRef | None: ...

    def roles_of(self, user_id: int) -> list[tuple[str, Role]]: ...

    def members(self, workspace_id: int) -> list[Member]: ...

    def set_member(self, workspace_id: int, user_id: int, role: Role | None, *,
                   now: datetime, adding: bool,
                   check_owner: Callable[[], None]) -> Role | None: ...

    def add_token(self, user_id: int, name: str, prefix: str, secret_hash: str,
                  workspace_ids: Sequence[int] | None, read_only: bool, *, now: datetime,
                  expires_at: datetime | None) -> ApiToken: ...

    def token_by_hash(self, secret_hash: str) -> ApiToken | None: ...

    def token(self, token_id: int) -> ApiToken | None: ...

    def tokens(self, user_id: int | None) -> list[ApiToken]: ...

    def touch_token(self, token_id: int, now: datetime) -> None: ...

    def revoke_token(self, token_id: int, now: datetime) -> bool: ...


class WorkspaceLookup(Protocol):
    """The workspaces there are (`services/workspaces.WorkspaceService`)."""

    def list(self) -> list[Workspace]: ...

    def find(self, slug: str) -> Workspace | None: ...
