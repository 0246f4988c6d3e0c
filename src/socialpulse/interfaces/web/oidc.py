"""Single sign-on pages: /oidc/signin starts a sign-in at the provider, /oidc/callback
finishes it (the redirect URI to register at the provider: ``https://<server>/oidc/callback``).

Between the two, the browser keeps the pending sign-in (state, nonce, PKCE verifier, where to
go next) in a cookie signed with a key derived from the home's secret key (any server process
can check it), HttpOnly, SameSite=Lax (the provider's redirect back is a top-level GET from
another site), Secure over https, for `PENDING_TTL_S` at most and for one use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from socialpulse.domain.errors import NotFound
from socialpulse.domain.identity_oidc import OidcRefused
from socialpulse.services.oidc_signin import OidcSignIn, PendingSignIn

from .common import ENV, sp
from .signin import _signed_in_response, safe_next

router = APIRouter(include_in_schema=False)

START_PATH = "/oidc/signin"
CALLBACK_PATH = "/oidc/callback"
PENDING_COOKIE = "socialpulse_oidc"
PENDING_COOKIE_HTTPS = "__Host-socialpulse_oidc"
#: Seconds a person has to sign in at the provider.
PENDING_TTL_S = 600


def single_sign_on(request: Any) -> bool:
    """Jinja global: whether the sign-in page offers single sign-on."""
    try:
        return sp(request).oidc is not None
    except Exception:  # a broken configuration must not take the password form down
        return False


ENV.globals["single_sign_on"] = single_sign_on


def _service(request: Request) -> OidcSignIn:
    oidc = sp(request).oidc
    if oidc is None:
        raise NotFound("single sign-on is not configured on this server "
                       "(SOCIALPULSE_OIDC_ISSUER)")
    return oidc


def _redirect_uri(request: Request) -> str:
    """Our callback as the browser reaches it (the proxy's https scheme and host included)."""
    return str(request.url.replace(path=CALLBACK_PATH, query="", fragment=""))


def _cookie_name(request: Request) -> str:
    return PENDING_COOKIE_HTTPS if request.url.scheme == "https" else PENDING_COOKIE


def _sign(request: Request, payload: bytes) -> str:
    return hmac.new(sp(request).signing_key("oidc-pending"), payload, hashlib.sha256).hexdigest()


def _pack(request: Request, pending: PendingSignIn) -> str:
    data = [pending.state, pending.nonce, pending.verifier, pending.next, int(time.time())]
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")
    return f"{payload.decode()}.{_sign(request, payload)}"


def _unpack(request: Request) -> PendingSignIn | None:
    """The pending sign-in of this browser; None if missing, forged, malformed or too old."""
    raw = request.cookies.get(_cookie_name(request), "")
    payload, _, mac = raw.partition(".")
    if not payload or not hmac.compare_digest(mac.encode(), _sign(request, payload.encode())
                                              .encode()):
        return None
    try:
        state, nonce, verifier, next_path, issued = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(issued, int) or not 0 <= time.time() - issued <= PENDING_TTL_S:
        return None
    return PendingSignIn(str(state), str(nonce), str(verifier), safe_next(str(next_path)))


@router.get(START_PATH)
def oidc_start(request: Request, next: str | None = None) -> Response:  # noqa: A002
    """Send the browser to the provider's sign-in page."""
    url, pending = _service(request).begin(_redirect_uri(request), safe_next(next))
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(_cookie_name(request), _pack(request, pending), max_age=PENDING_TTL_S,
                        path="/", secure=request.url.scheme == "https", httponly=True,
                        samesite="lax")
    return response


@router.get(CALLBACK_PATH)
def oidc_callback(request: Request, code: str = "", state: str = "",
                  error: str = "") -> Response:
    """The provider's answer: a session for the person it vouches for, or one line why not."""
    oidc = _service(request)
    if error:
        raise OidcRefused(f"sign-in: the provider did not sign you in ({error[:60]})")
    secret, _ = oidc.finish(_unpack(request), state[:200], code[:2000],
                            _redirect_uri(request))
    pending = _unpack(request)
    response = _signed_in_response(request, secret, pending.next if pending else "/")
    response.delete_cookie(_cookie_name(request), path="/")
    return response
