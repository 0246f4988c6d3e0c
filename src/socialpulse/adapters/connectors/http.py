"""A polite JSON-over-HTTP client for the connectors: rate limits, retries, clear errors.

Every connector calls its network through one `PoliteClient`, which
- reads the rate limit each answer reports (Mastodon ``X-RateLimit-*``, Bluesky
  ``RateLimit-*``) and waits for the window's reset *before* spending the last ``reserve``
  calls (the owner's other apps share the window);
- on 429 waits what ``Retry-After`` says (seconds or an HTTP date), else until the reset;
- retries 5xx answers, timeouts and refused connections with full-jitter exponential backoff;
- turns 401 into `AuthFailed`, other 4xx into `ConnectorError` with the network's own words,
  and a body that is not the JSON expected into a `ConnectorError` naming the endpoint.

Clock, sleep and the jitter's random draw are injected: tests run a day of syncs in a moment
and check that no call went over the fake server's limit. httpx directly rather than each
network's client library: one place for these rules, headers visible on every answer, and a
transport the tests can point at 127.0.0.1.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx

from socialpulse.domain.connections import (
    AuthFailed,
    ConnectorError,
    Quota,
    Unavailable,
    read_quota,
    retry_after,
    retry_delay,
    wait_before_call,
)
from socialpulse.domain.publishing import OutcomeUnknown

log = logging.getLogger("socialpulse.connectors")

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CallPolicy:
    """How politely to call: injected clock/sleep/draw, the calls kept in reserve, retries."""

    clock: Clock = utc_now
    sleep: Sleep = time.sleep
    draw: Callable[[], float] = random.random
    reserve: int = 2
    retries: int = 4  # for 5xx and timeouts
    max_429: int = 5
    timeout_s: float = 30.0
    waited_s: float = field(default=0.0)

    def pause(self, delay: timedelta, why: str) -> None:
        seconds = max(delay.total_seconds(), 0.0)
        if seconds:
            log.info("connector: waiting %.1f s (%s)", seconds, why)
            self.waited_s += seconds
            self.sleep(seconds)


def check_server(url: str, what: str) -> str:
    """A server base URL as stored: https, or http to this machine only (tests, a local
    proxy); no path, query or credentials."""
    text = url.strip().rstrip("/")
    if "://" not in text:
        text = "https://" + text
    u = urlparse(text)
    local = u.hostname in ("127.0.0.1", "localhost", "::1")
    if u.scheme not in ("https", "http") or (u.scheme == "http" and not local) \
            or not u.hostname or u.username or u.password or u.query or u.fragment \
            or u.path not in ("", "/"):
        raise ConnectorError(f"{what}: {url.strip()[:80]!r} is not a server address such as "
                             "https://mastodon.social")
    return text


class PoliteClient:
    """JSON calls to one server under a `CallPolicy`; `quota` is the last reported limit."""

    def __init__(self, base_url: str, label: str, policy: CallPolicy,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.label = label
        self.policy = policy
        self.quota = Quota()
        self.calls = 0
        self._http = httpx.Client(base_url=self.base_url, timeout=policy.timeout_s,
                                  transport=transport, follow_redirects=False,
                                  headers={"User-Agent": "socialpulse (connector)"})

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: Mapping[str, Any] | None = None,
            token: str | None = None, headers: Mapping[str, str] | None = None
            ) -> tuple[Any, httpx.Headers]:
        return self.call("GET", path, params=params, token=token, headers=headers)

    def post(self, path: str, body: Mapping[str, Any], token: str | None = None
             ) -> tuple[Any, httpx.Headers]:
        return self.call("POST", path, body=body, token=token)

    def call(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
             body: Mapping[str, Any] | None = None, token: str | None = None,
             headers: Mapping[str, str] | None = None, once: bool = False
             ) -> tuple[Any, httpx.Headers]:
        """One call with the rules above; answers the decoded JSON and the headers.
        Credentials go in headers (``token``: a Bearer token, or ``headers``), never in the
        URL, which httpx logs. ``once`` (publishing): a request that may have left and got
        no answer is never sent again here; it raises `OutcomeUnknown` (429 and 5xx answers
        still wait and retry: the server said it made nothing)."""
        where = self.label
        failures = limited = 0
        while True:
            p = self.policy
            p.pause(wait_before_call(self.quota, p.clock(), p.reserve),
                    f"{self.label}: rate limit nearly spent")
            try:
                resp = self._send(method, path, params, body, token, headers)
            except httpx.TransportError as exc:  # timeouts, refused or reset connections
                if once and not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
                    raise OutcomeUnknown(f"{where}: {_transport_words(exc)} after the request "
                                         "was sent; whether it took effect is unknown") from None
                failures += 1
                if failures > p.retries:
                    raise Unavailable(f"{where}: no answer after {failures} tries "
                                      f"({_transport_words(exc)})") from None
                p.pause(retry_delay(failures, p.draw()), f"{where}: {_transport_words(exc)}")
                continue
            self._note_quota(resp)
            if resp.status_code == 429:
                limited += 1
                if limited > p.max_429:
                    raise Unavailable(f"{where}: still rate limited after {limited} waits", 429)
                default = (self.quota.reset_at - p.clock() if self.quota.reset_at
                           and self.quota.reset_at > p.clock() else timedelta(seconds=60))
                p.pause(retry_after(resp.headers.get("Retry-After"), p.clock(), default),
                        f"{where}: 429 Too Many Requests")
                continue
            if resp.status_code >= 500:
                failures += 1
                if failures > p.retries:
                    raise Unavailable(f"{where}: the server kept failing ({failures} tries, "
                                      "server errors); it is tried again at the next sync",
                                      resp.status_code)
                p.pause(retry_delay(failures, p.draw()), f"{where}: HTTP {resp.status_code}")
                continue
            return self._decode(resp, where), resp.headers

    def _send(self, method: str, path: str, params: Mapping[str, Any] | None,
              body: Mapping[str, Any] | None, token: str | None,
              extra: Mapping[str, str] | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(extra or {})
        self.calls += 1
        return self._http.request(method, path, params=dict(params or {}), json=body,
                                  headers=headers)

    def _note_quota(self, resp: httpx.Response) -> None:
        q = read_quota(resp.headers, self.policy.clock())
        if q is not None:
            self.quota = q

    def _decode(self, resp: httpx.Response, where: str) -> Any:
        try:
            data = resp.json()
        except ValueError:
            data = None
        if resp.status_code >= 400:
            said = _their_words(data)
            expired = isinstance(data, dict) and data.get("error") in ("ExpiredToken",
                                                                        "InvalidToken")
            if resp.status_code == 401 or expired:  # XRPC says an expired token with a 400
                raise AuthFailed(f"{where}: the credentials were refused"
                                 + (f" ({said})" if said else ""), resp.status_code)
            raise ConnectorError(f"{where}: {_REFUSALS.get(resp.status_code, 'refused')}"
                                 + (f" ({said})" if said else ""), resp.status_code)
        if data is None:
            raise ConnectorError(f"{where}: the answer is not JSON "
                                 f"({resp.headers.get('content-type', 'no content type')})",
                                 resp.status_code)
        return data


#: A refusal's status in words (people read these, not status codes).
_REFUSALS = {400: "refused the request", 403: "refused: not permitted", 404: "not found",
             410: "gone", 422: "refused the request"}


def _transport_words(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return "the connection broke"


def _their_words(data: Any) -> str:
    """The network's own error words: Mastodon ``{"error": ...}``, XRPC ``{"error": "Name",
    "message": ...}``, Google ``{"error": {"code": ..., "message": ...}}``."""
    if not isinstance(data, dict):
        return ""
    if isinstance(data.get("error"), dict):  # Google APIs: {"error": {"code", "message"}}
        return _TAGS.sub("", str(data["error"].get("message") or ""))[:200]
    parts = [_TAGS.sub("", str(data[k]))[:200] for k in ("error", "message") if data.get(k)]
    return ": ".join(parts)


_TAGS = re.compile(r"<[^>]*>")  # Google's messages hold HTML links: words only


def expect(data: Any, kind: type, where: str, what: str) -> Any:
    """``data`` if it is of ``kind``, else a clear error (a malformed answer)."""
    if not isinstance(data, kind):
        raise ConnectorError(f"{where}: malformed answer: expected {what}")
    return data
