"""One GET to a platform's public API, with the failures people can act on named in one line.

A 429 or 503 names when to try again (``Retry-After``, seconds or an HTTP date); a 401/403
says the endpoint needs an account; a body that is not JSON, or a network error, names the
address. The job that polls turns these into a failed try and polls again at its next turn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from socialpulse.domain.errors import InvalidInput

TIMEOUT_S = 20.0
USER_AGENT = "socialpulse-listening/0.1 (+self-hosted social media analytics)"
#: bodies bigger than this are refused: a page of 100 posts is far below
MAX_BODY_BYTES = 16 * 1024 * 1024


class SourceUnavailable(InvalidInput):
    """The platform did not answer usefully this time; ``retry_after`` seconds if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def check_base_url(url: str, where: str, schemes: tuple[str, ...] = ("https", "http")) -> str:
    """An instance address without a trailing slash, or one error line naming ``where``."""
    u = url.strip().rstrip("/")
    parts = urlsplit(u)
    if parts.scheme not in schemes or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput(f"{where}: {url!r} is not an address such as "
                           f"{schemes[0]}://host.example")
    return u


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = (headers.get("retry-after") or "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    return None


def get_json(client: httpx.Client, url: str, params: Mapping[str, Any], who: str
             ) -> tuple[Any, httpx.Response]:
    """GET ``url`` and answer its JSON body and the response (for Link headers)."""
    try:
        given = {k: v for k, v in params.items() if v is not None}
        # no params at all for a Link header's address: httpx would replace its query
        resp = client.get(url, params=given or None,
                          headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                          timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"{who}: could not reach {url} ({type(exc).__name__})") from None
    if resp.status_code in (429, 502, 503, 504):
        wait = _retry_after(resp.headers)
        when = f"; the server asks to wait {wait:.0f} s" if wait is not None else ""
        raise SourceUnavailable(f"{who}: {url} is busy (HTTP {resp.status_code}){when}", wait)
    if resp.status_code in (401, 403):
        raise SourceUnavailable(f"{who}: {url} refused an anonymous read (HTTP "
                                f"{resp.status_code}); this endpoint needs an account")
    if resp.status_code >= 400:
        raise SourceUnavailable(f"{who}: {url} answered HTTP {resp.status_code}")
    if len(resp.content) > MAX_BODY_BYTES:
        raise SourceUnavailable(f"{who}: {url} sent more than {MAX_BODY_BYTES // 2**20} MB")
    try:
        return json.loads(resp.content), resp
    except (ValueError, RecursionError):
        raise SourceUnavailable(f"{who}: {url} did not answer JSON") from None
