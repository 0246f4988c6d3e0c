"""People who sign in: who they are, and the rules for passwords, sessions and throttling.

Pure: values and decisions only. The service (`services/identity.py`) reads the clock, the
database and the password hasher, and asks these rules what to do.

- Logins are case-insensitive names (stored lowercase), so ``Ana`` and ``ana`` are one person.
- A password has a minimum length and is not the login; there is no composition rule (digits,
  symbols): length is what makes a password hard to guess, and such rules make people pick
  worse ones (NIST SP 800-63B, 5.1.1).
- A session ends after `SessionPolicy.idle` without a request, and after
  `SessionPolicy.absolute` whatever happens, so a stolen cookie does not last for ever.
- Sign-in is throttled per login and per client address (`ThrottlePolicy`): after too many
  failures in a window, further tries are refused until the window has passed, even with the
  right password, so guessing costs days instead of seconds.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import InvalidInput, SocialPulseError

#: Letters, digits and ``. _ - @`` (an e-mail address is a fine login), up to 100 characters.
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,99}$")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class SignedInUser:
    """Who a session belongs to: what the interfaces need to build the acting `Actor`."""

    id: int
    login: str
    name: str
    site_admin: bool


@dataclass(frozen=True)
class User:
    """A user as `socialpulse users list` shows them (never their password hash)."""

    id: int
    login: str
    name: str
    email: str | None
    disabled: bool
    site_admin: bool
    has_password: bool
    created_at: datetime
    password_changed_at: datetime | None

    def signed_in(self) -> SignedInUser:
        return SignedInUser(self.id, self.login, self.name, self.site_admin)


@dataclass(frozen=True)
class StoredSession:
    """A session as the app database holds it (the cookie's secret is not stored, only its
    sha256, which is how it was found)."""

    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class StoredLink:
    """A one-time link that still works (unused, unexpired); ``user_id`` is None for SETUP."""

    purpose: LinkPurpose
    user_id: int | None
    expires_at: datetime


class NotSignedIn(SocialPulseError):
    """The request needs a signed-in user (pages redirect to the sign-in page instead)."""

    status_code = 401


class SignInRefused(SocialPulseError):
    """Wrong login or password, a disabled user, or a link that does not work."""

    status_code = 401


class TooManyAttempts(SocialPulseError):
    """Sign-in is throttled for this login or address (see `ThrottlePolicy`)."""

    status_code = 429


def is_loopback(host: str) -> bool:
    """Whether a bind address reaches this machine only (``127.0.0.1``, ``::1``,
    ``localhost``): a server bound there with no users is the local user's, as before."""
    name = host.strip().lower().strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def normalise_login(text: str) -> str:
    """``" Ana "`` -> ``"ana"``; anything else than a plain name is one line naming ``login``."""
    login = (text or "").strip().lower()
    if not _LOGIN.match(login):
        raise InvalidInput(f"login: {text[:60]!r} is not a login; use 1 to 100 letters, digits "
                           "or . _ - @, starting with a letter or digit")
    return login


def check_name(text: str, login: str) -> str:
    """The display name (the login when blank), at most 200 characters, one line."""
    name = " ".join((text or "").split()) or login
    if len(name) > 200:
        raise InvalidInput("name: longer than 200 characters")
    return name


def check_email(text: str | None) -> str | None:
    """An e-mail address or None (blank)."""
    email = (text or "").strip()
    if not email:
        return None
    if len(email) > 320 or not _EMAIL.match(email):
        raise InvalidInput(f"email: {email[:60]!r} is not an e-mail address")
    return email


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must be. The maximum keeps one sign-in from hashing megabytes."""

    min_length: int = 10
    max_length: int = 1024

    def check(self, password: str, login: str) -> None:
        """Returns, or raises InvalidInput naming ``password`` and what to change."""
        if len(password) < self.min_length:
            raise InvalidInput(f"password: at least {self.min_length} characters, please "
                               f"(got {len(password)})")
        if len(password) > self.max_length:
            raise InvalidInput(f"password: at most {self.max_length} characters")
        if password.strip().lower() == login.strip().lower():
            raise InvalidInput("password: must not be the login")


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: `idle` after its last request, `absolute` after sign-in.
    `touch_every` bounds how often a request records its time (one write a minute, not one
    per request)."""

    idle: timedelta = timedelta(hours=12)
    absolute: timedelta = timedelta(days=14)
    touch_every: timedelta = timedelta(minutes=1)

    def expired(self, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        return now - last_seen_at >= self.idle or now - created_at >= self.absolute

    def needs_touch(self, last_seen_at: datetime, now: datetime) -> bool:
        return now - last_seen_at >= self.touch_every


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failed sign-ins allowed within `window` per login and per client address.

    Per login stops guessing one person's password from many addresses; per address stops one
    machine trying many logins. An address allows more (several people behind one office
    router mistype too)."""

    window: timedelta = timedelta(minutes=15)
    per_login: int = 5
    per_address: int = 20

    def since(self, now: datetime) -> datetime:
        """The start of the window that counts now."""
        return now - self.window

    def locked(self, login_failures: int, address_failures: int) -> bool:
        return login_failures >= self.per_login or address_failures >= self.per_address

    def message(self) -> str:
        minutes = int(self.window.total_seconds() // 60)
        return (f"too many failed sign-ins for this login or from this address; wait "
                f"{minutes} minutes and try again, or ask an administrator to reset the "
                "password")


class LinkPurpose(StrEnum):
    """What a one-time link does: create the owner (first start), or set a user's password."""

    SETUP = "setup"
    RESET = "reset"


#: How long a one-time link works (it also stops working once used).
LINK_LIFETIME = timedelta(hours=1)

#: The one message of a failed sign-in, whatever failed (unknown login, wrong password,
#: disabled user): the answer must not tell which logins exist.
SIGNIN_FAILED = "sign-in failed: unknown login or wrong password"
#: A one-time link that is unknown, used or expired: one message, for the same reason.
LINK_INVALID = ("this link is not valid: it was already used, has expired (links work for one "
                "hour) or was mistyped; ask for a new one")
