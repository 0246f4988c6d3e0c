"""What `services/identity.py` needs from adapters: the users' tables, a password hasher, mail.

Kept beside `services/ports.py` (same rules: Protocols only; `bootstrap.py` passes the
adapters): `adapters/store/identity_repo.IdentityRepo` implements `IdentityStore`,
`adapters/passwords.Argon2Passwords` implements `PasswordHasher`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from socialpulse.domain.identity import LinkPurpose, StoredLink, StoredSession, User

#: The clock services read (tests pass one they move).
Clock = Callable[[], datetime]


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id): strings in the library's own encoded form."""

    def hash(self, password: str) -> str: ...

    def verify(self, encoded: str, password: str) -> bool: ...

    def needs_rehash(self, encoded: str) -> bool: ...


class MailSender(Protocol):
    """Sends one message; raises a SocialPulseError naming the server when it cannot."""

    def send(self, to: Sequence[str], subject: str, text: str,
             html: str | None = None) -> None: ...


class IdentityStore(Protocol):
    """Users, sessions, sign-in failures and one-time links in the app database. Logins
    arrive normalised (lowercase); secrets and tokens arrive as their sha256 (hex)."""

    def has_users(self) -> bool: ...

    def add_user(self, login: str, name: str, email: str | None, password_hash: str | None,
                 site_admin: bool, now: datetime) -> User: ...

    def user(self, user_id: int) -> User | None: ...

    def user_by_login(self, login: str) -> User | None: ...

    def users(self) -> list[User]: ...

    def password_hash(self, user_id: int) -> str | None: ...

    def set_password_hash(self, user_id: int, encoded: str,
                          changed_at: datetime | None) -> None: ...

    def set_disabled(self, user_id: int, disabled: bool) -> None: ...

    def add_session(self, user_id: int, secret_hash: str, now: datetime) -> None: ...

    def session(self, secret_hash: str) -> StoredSession | None: ...

    def touch_session(self, session_id: int, now: datetime) -> None: ...

    def delete_session(self, secret_hash: str) -> None: ...

    def delete_sessions(self, user_id: int, keep: str | None = None) -> int: ...

    def add_failure(self, login: str, address: str, now: datetime,
                    forget_before: datetime) -> None: ...

    def failures(self, login: str, address: str, since: datetime) -> tuple[int, int]: ...

    def clear_failures(self, login: str) -> None: ...

    def add_link(self, purpose: LinkPurpose, user_id: int | None, token_hash: str,
                 now: datetime, expires_at: datetime) -> None: ...

    def link(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> StoredLink | None: ...

    def use_link(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> bool: ...
