"""Cross-site request protection: allowed hosts, Origin checks and CSRF tokens, in one place.

Why each layer (the design note in docs/DESIGN-NOTES.md says more):

- **Allowed hosts** stop DNS rebinding: a site whose name suddenly resolves to 127.0.0.1 makes
  the browser send ``Host: evil.example``; answering only our own names keeps such a page from
  reading or changing anything.
- **Origin (else Referer) check**: browsers name the page a request comes from on every
  state-changing request; one that names another origin is refused before anything runs.
- **CSRF token** (signed double submit): every browser gets a random secret in an HttpOnly,
  SameSite=Strict cookie; pages carry ``HMAC(app key, secret)`` in each form (``csrf_input()``)
  and in a ``<meta name="csrf-token">`` that static/app.js sends as ``X-CSRF-Token`` on htmx
  requests and fetches. Another site can neither read the token nor forge one without the key,
  and needs no server-side session table.

Requests from scripts (no cookie, no browser headers: curl, the Python client) need no token,
and a request with an ``Authorization: Bearer`` header will be authenticated by the sign-in
feature instead: `needs_csrf_token` is the one place that decides.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from jinja2 import pass_context
from markupsafe import Markup
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialpulse.domain.errors import SocialPulseError

#: Methods that change data; GET/HEAD/OPTIONS never do (reads never write).
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The form field and the header that carry the token.
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: Cookie names: ``__Host-`` (Secure, whole host, no Domain) over https; browsers refuse that
#: prefix without Secure, so plain http on 127.0.0.1 uses the plain name.
COOKIE_HTTP = "socialpulse_csrf"
COOKIE_HTTPS = "__Host-socialpulse_csrf"
#: How much of a form body is read to find the token (``csrf_input()`` comes first in a form,
#: so an upload's files stream on to the endpoint unread).
FORM_SCAN_BYTES = 64 * 1024

HOST_MESSAGE = ("this server does not answer to the host name {host!r}; add it with "
                "serve --allowed-host or SOCIALPULSE_ALLOWED_HOSTS")
ORIGIN_MESSAGE = "request refused: it came from another site ({origin})"
EXPIRED_MESSAGE = "the form expired or came from another site; reload the page"

#: The policy of a standalone document the app renders (the HTML report in the Reports page's
#: frame): no scripts at all, its own inline styles and data: images (logo, charts) only.
STANDALONE_DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                           "font-src data:; base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'self'")

_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")

ErrorResponder = Callable[[Request, int, str], Response]


def normalise_host(name: str) -> str:
    """``Example.ORG`` -> ``example.org``; ``::1`` -> ``[::1]``: one spelling per host name."""
    name = name.strip().lower().rstrip(".")
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return name


def allowed_host_names(names: Iterable[str]) -> frozenset[str]:
    """The settings' allowed hosts, each spelled by `normalise_host`."""
    return frozenset(normalise_host(h) for h in names if h.strip())


def host_name(host_header: str) -> str:
    """The name part of a Host header (``[::1]:8000`` -> ``[::1]``, ``a.b:80`` -> ``a.b``)."""
    h = host_header.strip().lower()
    if h.startswith("["):
        return normalise_host(h[: h.find("]") + 1]) if "]" in h else h
    return normalise_host(h.rsplit(":", 1)[0] if h.count(":") == 1 else h)


def _origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL or Origin; None for ``null`` and anything unparsable."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, normalise_host(parts.hostname), port or default


def own_origin(scope: Scope, host_header: str) -> tuple[str, str, int] | None:
    """The origin this request was sent to (its scheme and Host header)."""
    return _origin_of(f"{scope.get('scheme', 'http')}://{host_header}")


def foreign_origin(headers: Headers, own: tuple[str, str, int] | None) -> str | None:
    """The Origin (else Referer) of a request when it names another origin, else None.

    A request without either (scripts, privacy tools that strip Referer) passes this check;
    browsers always send Origin on cross-origin POSTs, so a foreign page cannot hide it.
    """
    sent = headers.get("origin") or headers.get("referer")
    if sent is None:
        return None
    origin = _origin_of(sent)
    if own is None or origin != own:
        if origin is None:
            return "an unknown origin"
        scheme, host, port = origin
        default = 443 if scheme == "https" else 80
        return f"{scheme}://{host}" + (f":{port}" if port != default else "")
    return None


def needs_csrf_token(headers: Headers, cookie_name: str) -> bool:
    """Whether a state-changing request must carry a CSRF token: the single rule.

    - ``Authorization: Bearer``: no; such a request will be authenticated by its token (the
      sign-in feature), and a browser never adds that header on its own to a cross-site
      request. Bearer is not accepted as authentication here, it only skips this check.
    - a browser request (it carries our cookie, an Origin, or Sec-Fetch-* headers): yes.
    - anything else (curl, scripts without a cookie jar): no; it cannot ride on a browser's
      cookies, which is what a CSRF token protects.
    """
    if headers.get("authorization", "").lower().startswith("bearer "):
        return False
    return (cookie_name in _cookies(headers) or "origin" in headers
            or "sec-fetch-site" in headers or "sec-fetch-mode" in headers)


def _cookies(headers: Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in headers.get("cookie", "").split(";"):
        name, sep, value = chunk.strip().partition("=")
        if sep:
            out.setdefault(name.strip(), value.strip())
    return out


class UnsupportedMediaType(SocialPulseError):
    """A JSON endpoint got a body of another content type (415)."""

    status_code = 415


def require_json(headers: Headers) -> None:
    """A JSON endpoint reads only bodies declared as JSON.

    text/plain and form bodies are what a page on another site can send without a CORS
    preflight, so refusing them (415) closes that door even before the Origin and token checks;
    an empty body needs no type."""
    media = headers.get("content-type", "").partition(";")[0].strip().lower()
    if media == "application/json" or (media.startswith("application/")
                                       and media.endswith("+json")):
        return
    if not media and headers.get("content-length", "0") == "0" \
            and "transfer-encoding" not in headers:
        return
    raise UnsupportedMediaType(
        f"body: send JSON with the header Content-Type: application/json "
        f"(got {media or 'no content type'})")


def token_for(key: bytes, secret: str) -> str:
    """The token pages show for a browser's cookie secret (keyed, so it cannot be forged)."""
    return hmac.new(key, secret.encode("ascii"), hashlib.sha256).hexdigest()


def form_token(content_type: str, body: bytes, complete: bool) -> str | None:
    """The ``csrf_token`` field of a (possibly partial) urlencoded or multipart body."""
    ctype, _, params = content_type.partition(";")
    ctype = ctype.strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        text = body.decode("latin-1")
        if not complete:  # only fields whose end was seen
            text = text.rpartition("&")[0]
        for name, value in parse_qsl(text, keep_blank_values=True):
            if name == CSRF_FIELD:
                return value
        return None
    if ctype == "multipart/form-data":
        m = re.search(r'boundary="?([^";]+)"?', params)
        if not m:
            return None
        delimiter = b"--" + m.group(1).encode("latin-1")
        parts = body.split(delimiter)
        # the last piece may be cut off; a part is whole once the next delimiter was seen
        for part in parts[1:-1]:
            head, sep, data = part.partition(b"\r\n\r\n")
            if sep and re.search(rb'\bname="' + CSRF_FIELD.encode() + rb'"', head):
                return data.removesuffix(b"\r\n").decode("latin-1")
        return None
    return None


async def _read_form_token(receive: Receive,
                           content_type: str) -> tuple[list[Message], str | None]:
    """The form's token, reading the body only until it is found (at most `FORM_SCAN_BYTES`);
    also the messages read, which the endpoint gets again (see `_replay`)."""
    messages: list[Message] = []
    body = b""
    more = True
    while more and len(body) < FORM_SCAN_BYTES:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        more = bool(message.get("more_body", False))
        token = form_token(content_type, body, not more)
        if token is not None:
            return messages, token
    return messages, None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class SecurityMiddleware:
    """Host, Origin and CSRF checks on every HTTP request, and the CSRF cookie on pages."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Iterable[str], key: bytes,
                 on_error: ErrorResponder) -> None:
        self.app = app
        self.hosts = allowed_host_names(allowed_hosts)
        self.key = key
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            # plain and data-free: a rebinding page must not read names off an error page
            await self._plain_error(scope, 400, HOST_MESSAGE.format(host=host[:100]))(
                scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        cookie_name = COOKIE_HTTPS if https else COOKIE_HTTP
        secret = _cookies(headers).get(cookie_name, "")
        fresh = not _SECRET.match(secret)
        if fresh:
            secret = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = token_for(self.key, secret)

        if scope["method"] in UNSAFE_METHODS:
            refusal: tuple[int, str] | None = None
            foreign = foreign_origin(headers, own_origin(scope, host))
            if foreign:
                refusal = (403, ORIGIN_MESSAGE.format(origin=foreign))
            elif needs_csrf_token(headers, cookie_name):
                sent = headers.get(CSRF_HEADER)
                if sent is None:
                    messages, sent = await _read_form_token(
                        receive, headers.get("content-type", ""))
                    receive = _replay(messages, receive)
                if fresh or not hmac.compare_digest(
                        (sent or "").encode("utf-8", "replace"),
                        scope["state"]["csrf_token"].encode("ascii")):
                    refusal = (403, EXPIRED_MESSAGE)
            if refusal:
                response = self.on_error(Request(scope), *refusal)
                await response(scope, receive, send)
                return

        if not fresh:
            await self.app(scope, receive, send)
            return
        cookie = _cookie_header(cookie_name, secret, https)

        async def send_with_cookie(message: Message) -> None:
            # pages only: API clients never get the cookie, so they never need a token
            if message["type"] == "http.response.start":
                ctype = Headers(raw=message["headers"]).get("content-type", "")
                if ctype.startswith("text/html"):
                    message["headers"] = [*message["headers"],
                                          (b"set-cookie", cookie.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    def _plain_error(scope: Scope, status: int, message: str) -> Response:
        path = scope.get("path", "")
        if path == "/api" or path.startswith("/api/") or path == "/openapi.json":
            return JSONResponse({"error": {"message": message}}, status_code=status)
        return PlainTextResponse(f"Error {status}: {message}\n", status_code=status)


def _cookie_header(name: str, secret: str, https: bool) -> str:
    """HttpOnly (scripts never need it: pages carry the token), SameSite=Strict, whole host."""
    flags = "; Path=/; HttpOnly; SameSite=Strict"
    return f"{name}={secret}{flags}{'; Secure' if https else ''}"


def request_token(request: Any) -> str:
    """The CSRF token of the request a template renders (empty when there is none)."""
    scope = getattr(request, "scope", None) or {}
    return str(scope.get("state", {}).get("csrf_token", ""))


@pass_context
def csrf_input(context: Any) -> Markup:
    """Jinja global: the hidden field every POST form carries. Put it first in the form, so
    the token comes before any file (see `FORM_SCAN_BYTES`)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, request_token(context.get("request")))


def offsite_rel(href: object) -> Markup:
    """Jinja filter: `` rel="noopener noreferrer"`` for a link off this site (absolute or
    protocol-relative), so the page it opens can neither script this tab nor learn its URL."""
    if re.match(r"^\s*([a-z][a-z0-9+.-]*:)?//", str(href or ""), re.I):
        return Markup(' rel="noopener noreferrer"')
    return Markup("")


@pass_context
def csrf_token(context: Any) -> str:
    """Jinja global: the token for ``<meta name="csrf-token">`` (htmx and fetch send it)."""
    return request_token(context.get("request"))
