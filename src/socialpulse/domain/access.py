"""What the access services read and answer: members of a workspace and API tokens.

Pure values; the rules of who may do what are `domain.roles` and `domain.actor.allowed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .roles import Role

#: Longest name a person may give a token (shown in `tokens list`).
MAX_TOKEN_NAME = 100
#: Longest life a token may be given, in days (about ten years): beyond it a date overflows.
MAX_TOKEN_DAYS = 3650


@dataclass(frozen=True)
class UserRef:
    """A user as the access services need them: who, and whether they may act at all."""

    id: int
    login: str
    name: str
    site_admin: bool
    disabled: bool


@dataclass(frozen=True)
class Member:
    """A user's role in one workspace."""

    workspace: str  # slug
    user_id: int
    login: str
    name: str
    role: Role
    disabled: bool
    added_at: datetime


@dataclass(frozen=True)
class ApiToken:
    """A stored token (never its secret): whose it is, its scope and its life."""

    id: int
    user_id: int
    login: str
    name: str
    prefix: str
    workspaces: tuple[str, ...] | None  # slugs; None: every workspace the user may see
    read_only: bool
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def usable_at(self, now: datetime) -> bool:
        """Not revoked and not expired at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def state(self, now: datetime) -> str:
        """One word for people: active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.usable_at(now) else "expired"
