"""Connected accounts as values: a connection, its states, and the rules of polite calling.

A connection ties an account of a workspace to a network's API: the workspace's *own* account
(signed in with the owner's token or app password) or a *public* account (a competitor named by
its handle, read from public data only, labelled so everywhere). Its credentials never live
here in the clear: the store keeps them encrypted and services pass them as a `Secret`, whose
``repr`` hides the value.

The rate-limit and retry rules are pure functions of headers, times and a random draw, so the
clock, the sleep and the jitter are injected by the callers and tests run a day in a moment.
Pure: no I/O, no clock, no environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

from .errors import InvalidInput
from .platforms import NETWORK_LABELS, Network


class ConnectionKind(StrEnum):
    OWN = "own"  # the workspace's own account, signed in
    PUBLIC = "public"  # any account's public data, by handle (a competitor)

    @property
    def words(self) -> str:
        return {"own": "own account", "public": "public data"}[self.value]


class ConnectionState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # by a person, or after repeated sign-in failures

    @property
    def words(self) -> str:
        return self.value


#: Consecutive sign-in failures (401) after which a connection pauses itself.
AUTH_FAILURES_TO_PAUSE = 3
#: The hour (UTC) of the daily sync.
SYNC_HOUR_UTC = 3


class ConnectorError(InvalidInput):
    """A network's API answered something that stops this call, in words that name what is
    wrong (bad token, missing scope, unknown handle, a broken answer). ``status`` is the HTTP
    status for code that reacts to it; messages say it in words."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthFailed(ConnectorError):
    """The network refused the credentials (HTTP 401): counted, and repeated failures pause
    the connection."""


class Unavailable(ConnectorError):
    """The network stayed unreachable or answered 5xx after every retry: try again later."""


@dataclass(frozen=True)
class AccountInfo:
    """An account as its network describes it (own or public)."""

    handle: str
    name: str = ""
    url: str = ""
    followers: int | None = None
    following: int | None = None
    posts: int | None = None


@dataclass(frozen=True)
class RawPost:
    """One post as the API gave it. ``order`` sorts posts oldest to newest on their network
    (a Mastodon id, a Bluesky creation time), so a cursor is the newest ``order`` synced."""

    post_id: str
    published_at: datetime
    order: str
    data: Mapping[str, object]


@dataclass(frozen=True)
class PostPage:
    """A page of an account's posts, newest first, and the token of the next (older) page."""

    posts: tuple[RawPost, ...]
    next_page: str | None


class Secret:
    """A credential in memory: its value is read only by the connector that sends it.

    ``repr`` and ``str`` never show it, so a log line, a traceback's locals or a debugger
    print cannot leak it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Credentials:
    """What a connector needs to reach an account: the server's address, the handle, and
    (own accounts) the secret. ``server`` is the Mastodon instance or the Bluesky PDS/AppView
    base URL."""

    server: str
    handle: str
    secret: Secret | None = None


@dataclass(frozen=True)
class Quota:
    """What the last answer said about the rate limit (None: it did not say)."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None

    @property
    def words(self) -> str:
        if self.remaining is None:
            return "unknown"
        text = f"{self.remaining}" + (f" of {self.limit}" if self.limit is not None else "")
        if self.reset_at is not None:
            text += f" until {self.reset_at:%H:%M:%S} UTC"
        return text


@dataclass(frozen=True)
class Connection:
    """One connected account, as read at one moment (no credentials in it)."""

    id: int
    workspace_id: int
    network: Network
    kind: ConnectionKind
    handle: str
    server: str
    account_id: int
    state: ConnectionState
    has_secret: bool
    secret_fingerprint: str
    created_at: datetime
    cursor: str | None = None
    last_sync_at: datetime | None = None
    next_sync_at: datetime | None = None
    last_error: str | None = None
    auth_failures: int = 0
    quota: Quota = field(default_factory=Quota)
    synced_posts: int = 0

    @property
    def label(self) -> str:
        return f"{NETWORK_LABELS[self.network]} {self.handle}"

    @property
    def token(self) -> str:
        """A stable tag of this connection for job keys (a new connection that reuses a
        removed one's id never finds the old one's jobs)."""
        return f"{self.id}.{int(self.created_at.timestamp())}"


def next_sync(after: datetime) -> datetime:
    """The next daily sync after ``after``: the next SYNC_HOUR_UTC o'clock."""
    at = datetime.combine(after.astimezone(UTC).date(), time(SYNC_HOUR_UTC), UTC)
    return at if at > after else at + timedelta(days=1)


def sync_day(at: datetime) -> str:
    """The day a sync belongs to (its idempotency key's part): one sync per connection and
    day, however often the worker or a person asks."""
    return at.astimezone(UTC).date().isoformat()


# --- rate limits and retries ------------------------------------------------------------------

def _int(text: str | None) -> int | None:
    if text is None:
        return None
    t = text.strip()
    if t.isascii() and t.isdigit() and len(t) < 19:
        return int(t)
    return None


def _instant(text: str | None, now: datetime) -> datetime | None:
    """A reset time: ISO 8601 (Mastodon), epoch seconds (Bluesky), or seconds from now (the
    IETF draft's delta form: small numbers)."""
    if text is None or not text.strip():
        return None
    t = text.strip()
    n = _int(t)
    if n is not None:
        if n > 10**9:  # an epoch instant
            return datetime.fromtimestamp(n, UTC)
        return now + timedelta(seconds=n)
    try:
        when = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def read_quota(headers: Mapping[str, str], now: datetime) -> Quota | None:
    """The rate limit an answer reports: Mastodon's ``X-RateLimit-*`` or Bluesky's
    ``RateLimit-*``; None when it reports none. Header names are matched case-insensitively."""
    low = {k.lower(): v for k, v in headers.items()}
    for prefix in ("x-ratelimit-", "ratelimit-"):
        remaining = _int(low.get(prefix + "remaining"))
        if remaining is not None:
            return Quota(_int(low.get(prefix + "limit")), remaining,
                         _instant(low.get(prefix + "reset"), now))
    return None


def retry_after(value: str | None, now: datetime, default: timedelta) -> timedelta:
    """How long a 429 asks to wait: ``Retry-After`` in seconds or as an HTTP date."""
    if value:
        n = _int(value)
        if n is not None:
            return timedelta(seconds=n)
        try:
            when = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError):
            return default
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(when - now, timedelta(0))
    return default


def wait_before_call(quota: Quota | None, now: datetime, reserve: int) -> timedelta:
    """Back off *before* the limit: when only ``reserve`` calls are left in the window, wait
    for its reset rather than spend them (others, like the owner's own apps, share it)."""
    if quota is None or quota.remaining is None or quota.remaining > reserve:
        return timedelta(0)
    if quota.reset_at is None or quota.reset_at <= now:
        return timedelta(0) if quota.remaining > 0 else timedelta(seconds=60)
    return quota.reset_at - now + timedelta(seconds=1)


def retry_delay(attempt: int, draw: float, base: float = 1.0, cap: float = 60.0) -> timedelta:
    """The wait before retry ``attempt`` (1, 2...) of a 5xx or a timeout: "full jitter"
    (a random share ``draw`` in [0, 1) of an exponential ceiling), so many clients that failed
    together do not come back together."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return timedelta(seconds=max(0.05, draw * ceiling))
