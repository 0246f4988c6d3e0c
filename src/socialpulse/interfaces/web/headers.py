"""Security headers on every response, in one middleware (pages, the API, static files, errors).

- **Content-Security-Policy**: scripts, styles, fonts and data come from this server only; no
  inline script, style or event handler and no eval (Vega runs with vega-interpreter, htmx with
  ``allowEval: false``), so an HTML injection cannot run code. ``frame-ancestors 'self'``: no
  other site may frame a page (clickjacking). A response that sets its own policy keeps it (the
  HTML report preview: a standalone document with no script at all, see
  `security.STANDALONE_DOCUMENT_CSP`).
- **X-Content-Type-Options: nosniff**: a browser never runs an uploaded or exported file as a
  script or a page because its bytes look like one.
- **Referrer-Policy: same-origin**: links off the site never carry our URLs (they hold
  workspace names and filters).
- **Strict-Transport-Security**: only when the request came over https (directly, or through a
  proxy whose forwarded scheme uvicorn trusts: ``--forwarded-allow-ips``); sent over plain http
  it would pin a laptop's 127.0.0.1 to https, where nothing listens.
- **Cross-Origin-Opener-Policy: same-origin** and **Permissions-Policy**: a page opened from
  ours cannot script this tab, and no page may use the camera, microphone or location.

Pure ASGI (no ``BaseHTTPMiddleware``): streamed downloads stay streamed.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Pages load scripts, styles, fonts and data from this server only (nothing from a CDN).
#: No inline scripts, styles or style="" attributes, no eval: Vega evaluates its expressions
#: with vega-interpreter, vega-embed's, its tooltip's and htmx's own styles are off
#: (static/embedded.css holds them), sizes from data are set through the CSSOM (app.js).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)

#: One year, subdomains left alone (the server does not know what else runs on its domain).
HSTS = "max-age=31536000"

#: Every response carries these unless it set its own value.
SECURITY_HEADERS: Mapping[str, str] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def headers_for(scheme: str) -> dict[str, str]:
    """The security headers of a response to a request made over ``scheme``."""
    out = dict(SECURITY_HEADERS)
    if scheme == "https":
        out["strict-transport-security"] = HSTS
    return out


class SecurityHeadersMiddleware:
    """Adds `headers_for` the request's scheme to every HTTP response (outermost middleware,
    so refusals of the host and CSRF checks and error pages carry them too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = headers_for(str(scope.get("scheme", "http")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
