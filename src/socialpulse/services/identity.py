"""Users, passwords, sessions, sign-in throttling and one-time links (`App.identity`).

Secrets never rest in the database as they are: a session's cookie holds 32 random bytes and
the table holds their sha256; a one-time link's token likewise. Both are high-entropy random
values, so a fast hash is enough (nobody can guess 256 bits); passwords are chosen by people,
so they get argon2id (`PasswordHasher`), slow on purpose.

Sign-in answers the same way whatever failed (unknown login, wrong password, disabled user,
no password) and always spends one argon2 verification, against a dummy hash when there is no
real one, so neither the message nor the time tells which logins exist. Failures are rows of
the app database, so every server process throttles the same tries.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, NotFound, SocialPulseError
from socialpulse.domain.identity import (
    LINK_INVALID,
    LINK_LIFETIME,
    SIGNIN_FAILED,
    LinkPurpose,
    PasswordPolicy,
    SessionPolicy,
    SignedInUser,
    SignInRefused,
    ThrottlePolicy,
    TooManyAttempts,
    User,
    check_email,
    check_name,
    normalise_login,
)

from .identity_ports import Clock, IdentityStore, MailSender, PasswordHasher


def digest(secret: str) -> str:
    """sha256 of a session secret or link token, as stored (hex)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """32 random bytes, URL-safe (a cookie value or a link's last path segment)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ResetLink:
    """A password link for a user: the URL, and whom it was e-mailed to (or why not)."""

    url: str
    user: User
    emailed_to: str | None
    mail_error: str | None


class IdentityService:
    """Who may sign in, and the sessions they hold."""

    def __init__(self, store: IdentityStore, hasher: PasswordHasher, clock: Clock,
                 mailer: Callable[[], MailSender | None] = lambda: None, *,
                 passwords: PasswordPolicy = PasswordPolicy(),
                 sessions: SessionPolicy = SessionPolicy(),
                 throttle: ThrottlePolicy = ThrottlePolicy()) -> None:
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.mailer = mailer  # built when a link is sent: bad mail settings break only that
        self.passwords = passwords
        self.sessions = sessions
        self.throttle = throttle
        self._has_users = False  # users are never deleted: once True, True for good
        self._dummy: str | None = None

    # --- users --------------------------------------------------------------------------------

    def has_users(self) -> bool:
        """Whether anyone can sign in here (with none, a loopback server is the local user's)."""
        if not self._has_users:
            self._has_users = self.store.has_users()
        return self._has_users

    def users(self) -> list[User]:
        return self.store.users()

    def user(self, login: str) -> User:
        found = self.store.user_by_login(normalise_login(login))
        if found is None:
            raise NotFound(f"login: no user {login.strip().lower()!r}; see socialpulse users "
                           "list")
        return found

    def add_user(self, actor: Actor, login: str, *, name: str = "", email: str | None = None,
                 password: str | None = None, site_admin: bool = False) -> User:
        """A new user; without a password they sign in after setting one through a link
        (`reset_link`). The first user is always a site admin (the server's owner)."""
        authorize(actor, Action.USERS_EDIT)
        login = normalise_login(login)
        name, email = check_name(name, login), check_email(email)
        if password is not None:
            self.passwords.check(password, login)
        encoded = self.hasher.hash(password) if password is not None else None
        first = not self.has_users()
        user = self.store.add_user(login, name, email, encoded, site_admin or first,
                                   self.clock())
        self._has_users = True
        return user

    def set_disabled(self, actor: Actor, login: str, disabled: bool) -> User:
        """Disable (signs them out everywhere) or enable a user."""
        authorize(actor, Action.USERS_EDIT)
        user = self.user(login)
        self.store.set_disabled(user.id, disabled)
        if disabled:
            self.store.delete_sessions(user.id)
        return self.user(login)

    # --- one-time links -----------------------------------------------------------------------

    def setup_link(self, base_url: str) -> str | None:
        """A link that creates the owner, while there is no user (else None)."""
        if self.has_users():
            return None
        return f"{base_url.rstrip('/')}/setup/{self._new_link(LinkPurpose.SETUP, None)}"

    def reset_link(self, actor: Actor, login: str, base_url: str) -> ResetLink:
        """A link that sets the user's password; e-mailed too when mail is configured and the
        user has an address (a failed delivery is reported, the link still works)."""
        authorize(actor, Action.USERS_EDIT)
        user = self.user(login)
        url = f"{base_url.rstrip('/')}/reset/{self._new_link(LinkPurpose.RESET, user.id)}"
        if not user.email:
            return ResetLink(url, user, None, None)
        try:
            mailer = self.mailer()
            if mailer is None:
                return ResetLink(url, user, None, None)
            mailer.send([user.email], "Set your socialpulse password",
                        f"Hello {user.name},\n\nopen this link within an hour to set your "
                        f"socialpulse password (it works once):\n\n{url}\n")
        except SocialPulseError as exc:
            return ResetLink(url, user, None, exc.message)
        return ResetLink(url, user, user.email, None)

    def _new_link(self, purpose: LinkPurpose, user_id: int | None) -> str:
        token, now = new_secret(), self.clock()
        self.store.add_link(purpose, user_id, digest(token), now, now + LINK_LIFETIME)
        return token

    def link_user(self, purpose: LinkPurpose, token: str) -> User | None:
        """Whether the link works (raises `SignInRefused` if not); its user (None: setup)."""
        link = self.store.link(digest(token), purpose, self.clock())
        if link is None or (purpose is LinkPurpose.SETUP and self.has_users()):
            raise SignInRefused(LINK_INVALID)
        user = self.store.user(link.user_id) if link.user_id is not None else None
        if purpose is LinkPurpose.RESET and (user is None or user.disabled):
            raise SignInRefused(LINK_INVALID)
        return user

    def create_owner(self, token: str, login: str, name: str, email: str | None,
                     password: str) -> tuple[str, SignedInUser]:
        """Redeem a setup link: the first user (a site admin), signed in at once."""
        self.link_user(LinkPurpose.SETUP, token)
        login = normalise_login(login)
        name, email = check_name(name, login), check_email(email)
        self.passwords.check(password, login)
        encoded = self.hasher.hash(password)
        if not self.store.use_link(digest(token), LinkPurpose.SETUP, self.clock()):
            raise SignInRefused(LINK_INVALID)
        user = self.store.add_user(login, name, email, encoded, True, self.clock())
        self._has_users = True
        return self.start_session(user.id), user.signed_in()

    def reset_password(self, token: str, password: str) -> tuple[str, SignedInUser]:
        """Redeem a reset link: a new password, every other session ended, signed in."""
        user = self.link_user(LinkPurpose.RESET, token)
        if user is None:  # never: `link_user` answers a reset link's user or raises
            raise SignInRefused(LINK_INVALID)
        self.passwords.check(password, user.login)
        encoded = self.hasher.hash(password)
        if not self.store.use_link(digest(token), LinkPurpose.RESET, self.clock()):
            raise SignInRefused(LINK_INVALID)
        self.store.set_password_hash(user.id, encoded, self.clock())
        self.store.delete_sessions(user.id)
        self.store.clear_failures(user.login)
        return self.start_session(user.id), user.signed_in()

    # --- sign-in and sessions -----------------------------------------------------------------

    def sign_in(self, login: str, password: str, address: str) -> tuple[str, SignedInUser]:
        """A new session for the right login and password; `SignInRefused` (one message for
        every failure) or `TooManyAttempts` when this login or address is throttled."""
        try:
            key = normalise_login(login)
        except InvalidInput:
            key = (login or "").strip().lower()[:100]
        now = self.clock()
        if self.throttle.locked(*self.store.failures(key, address, self.throttle.since(now))):
            raise TooManyAttempts(self.throttle.message())
        user = self.store.user_by_login(key)
        encoded = self.store.password_hash(user.id) if user is not None else None
        ok = self.hasher.verify(encoded or self._dummy_hash(), password[:1024])
        if not ok or user is None or encoded is None or user.disabled:
            self.store.add_failure(key, address, now, self.throttle.since(now))
            raise SignInRefused(SIGNIN_FAILED)
        if self.hasher.needs_rehash(encoded):
            self.store.set_password_hash(user.id, self.hasher.hash(password), None)
        self.store.clear_failures(key)
        return self.start_session(user.id), user.signed_in()

    def _dummy_hash(self) -> str:
        """A hash of a random password (made once), verified when there is no real hash."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(new_secret())
        return self._dummy

    def start_session(self, user_id: int) -> str:
        """A new session for the user (sign-in, a redeemed link, OIDC); its cookie secret."""
        secret = new_secret()
        self.store.add_session(user_id, digest(secret), self.clock())
        return secret

    def user_for_session(self, secret: str) -> SignedInUser | None:
        """The user of a live session; None when unknown, idle too long, too old, or the user
        is disabled (an expired session is deleted)."""
        if not secret or len(secret) > 100:
            return None
        hashed, now = digest(secret), self.clock()
        session = self.store.session(hashed)
        if session is None:
            return None
        if self.sessions.expired(session.created_at, session.last_seen_at, now):
            self.store.delete_session(hashed)
            return None
        user = self.store.user(session.user_id)
        if user is None or user.disabled:
            return None
        if self.sessions.needs_touch(session.last_seen_at, now):
            self.store.touch_session(session.id, now)
        return user.signed_in()

    def sign_out(self, secret: str) -> None:
        self.store.delete_session(digest(secret))

    def sign_out_everywhere(self, user_id: int) -> int:
        """End every session of the user; how many there were."""
        return self.store.delete_sessions(user_id)

    def change_password(self, user_id: int, current: str, new: str,
                        keep_secret: str | None = None) -> None:
        """A signed-in user's new password (the current one checked first); ends their other
        sessions, keeping the one whose secret is ``keep_secret``."""
        user = self.store.user(user_id)
        encoded = self.store.password_hash(user_id)
        if user is None or encoded is None or not self.hasher.verify(encoded, current[:1024]):
            raise SignInRefused("current password: wrong password")
        self.passwords.check(new, user.login)
        self.store.set_password_hash(user_id, self.hasher.hash(new), self.clock())
        self.store.delete_sessions(user_id, keep=digest(keep_secret) if keep_secret else None)
