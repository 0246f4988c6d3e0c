"""Sign-in pages: /signin, /signout, /setup/<token> (the owner), /reset/<token>, /account.

`require_sign_in(app)` makes every route of the app resolve who acts (`common.acting`) before
it runs, so no page or endpoint can forget it: a visitor who is not signed in is sent to
``/signin?next=<where they were going>`` (pages) or answered 401 (API). Only these sign-in
pages, the static files and the OpenAPI schema are public.

The session cookie holds a random secret (the database keeps its sha256): HttpOnly (scripts
never read it), SameSite=Lax (sent when a link from elsewhere opens a page, never on another
site's POST), Secure with the ``__Host-`` prefix over https, and it lasts as long as the
session may (`SessionPolicy.absolute`). Every form here carries the CSRF token like any other
form: a sign-in form posted from another site is refused before it runs (login CSRF).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from socialpulse.domain.errors import InvalidInput, SocialPulseError
from socialpulse.domain.identity import (
    LinkPurpose,
    NotSignedIn,
    SignedInUser,
    SignInRefused,
)

from .common import acting, is_htmx, render, session_cookie_name, signed_in_user, sp

router = APIRouter(include_in_schema=False)

#: Paths anyone may open: signing in needs no signing in.
PUBLIC_PATHS = ("/signin", "/signout", "/signout/everywhere")
PUBLIC_PREFIXES = ("/setup/", "/reset/", "/oidc/")  # /oidc/: single sign-on (oidc.py)


def require_sign_in(app: FastAPI) -> None:
    """Every route added after this resolves the acting user first; not signed in: redirect
    (pages) or 401 (API). Call before the routers are included."""
    app.router.dependencies.append(Depends(_signed_in_or_public))
    app.add_exception_handler(NotSignedIn, _not_signed_in)  # type: ignore[arg-type]


def _signed_in_or_public(request: Request) -> None:
    path = request.url.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return
    acting(request)


async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return JSONResponse({"error": {"message": exc.message}}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
    target = path + (f"?{request.url.query}" if request.url.query else "")
    location = "/signin?" + urlencode({"next": target}) if target != "/" else "/signin"
    if is_htmx(request):  # a fragment request: send the whole tab to the sign-in page
        return Response(status_code=401, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never ``//evil``,
    ``https://evil``, ``/\\evil`` or anything with control characters), else ``/``."""
    text = (target or "").strip()
    if (not text.startswith("/") or text.startswith("//") or "\\" in text
            or any(ord(c) < 32 or ord(c) == 127 for c in text) or len(text) > 2000):
        return "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return "/"
    return text


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signed_in_response(request: Request, secret: str, target: str) -> Response:
    """303 to ``target`` with the new session's cookie."""
    response = RedirectResponse(safe_next(target), status_code=303)
    https = request.url.scheme == "https"
    response.set_cookie(session_cookie_name(request), secret,
                        max_age=int(sp(request).identity.sessions.absolute.total_seconds()),
                        path="/", secure=https, httponly=True, samesite="lax")
    return response


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return render(request, template, {"title": context.pop("title", "Sign in"), **context},
                  status_code=status)


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    """The sign-in form (a signed-in visitor goes straight on)."""
    if signed_in_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, "signin.html", next=safe_next(next))


@router.post("/signin", response_class=HTMLResponse)
async def signin(request: Request) -> Response:
    """Check the login and password (throttled); on success a new session and its cookie."""
    form = await _form(request)
    target = safe_next(form.get("next"))
    login = form.get("login", "")
    try:
        secret, _ = sp(request).identity.sign_in(login, form.get("password", ""),
                                                 _address(request))
    except SocialPulseError as exc:
        return _page(request, "signin.html", exc.status_code, next=target, login=login[:100],
                     error=exc.message)
    return _signed_in_response(request, secret, target)


@router.post("/signout")
def signout(request: Request) -> Response:
    """End this session."""
    secret = request.cookies.get(session_cookie_name(request), "")
    if secret:
        sp(request).identity.sign_out(secret)
    return _signed_out(request)


@router.post("/signout/everywhere")
def signout_everywhere(request: Request) -> Response:
    """End every session of the signed-in user (other browsers and devices too)."""
    user = signed_in_user(request)
    if user is not None:
        sp(request).identity.sign_out_everywhere(user.id)
    return _signed_out(request)


def _signed_out(request: Request) -> Response:
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(session_cookie_name(request), path="/",
                           secure=request.url.scheme == "https", httponly=True,
                           samesite="lax")
    return response


def _link_page(request: Request, purpose: LinkPurpose, token: str,
               **context: Any) -> HTMLResponse:
    """The setup or reset form, or why the link does not work (400)."""
    template = "setup.html" if purpose is LinkPurpose.SETUP else "reset.html"
    title = "Create the owner" if purpose is LinkPurpose.SETUP else "Set your password"
    try:
        user = sp(request).identity.link_user(purpose, token)
    except SignInRefused as exc:
        return _page(request, template, 400, title=title, invalid=exc.message)
    status = context.pop("status", 200)
    return _page(request, template, status, title=title, token=token, user=user, **context)


@router.get("/setup/{token}", response_class=HTMLResponse)
def setup_page(request: Request, token: str) -> Response:
    """The one-time link `serve` printed on an empty home: create the owner."""
    return _link_page(request, LinkPurpose.SETUP, token)


@router.post("/setup/{token}", response_class=HTMLResponse)
async def setup(request: Request, token: str) -> Response:
    form = await _form(request)
    fields = {k: form.get(k, "") for k in ("login", "name", "email")}
    try:
        password = _confirmed(form)
        secret, _ = sp(request).identity.create_owner(token, fields["login"], fields["name"],
                                                      fields["email"], password)
    except SocialPulseError as exc:
        return _link_page(request, LinkPurpose.SETUP, token, status=exc.status_code,
                          error=exc.message, **fields)
    return _signed_in_response(request, secret, "/")


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_page(request: Request, token: str) -> Response:
    """The one-time link of `socialpulse users reset-password`: set a new password."""
    return _link_page(request, LinkPurpose.RESET, token)


@router.post("/reset/{token}", response_class=HTMLResponse)
async def reset(request: Request, token: str) -> Response:
    form = await _form(request)
    try:
        secret, _ = sp(request).identity.reset_password(token, _confirmed(form))
    except SocialPulseError as exc:
        return _link_page(request, LinkPurpose.RESET, token, status=exc.status_code,
                          error=exc.message)
    return _signed_in_response(request, secret, "/")


def _confirmed(form: dict[str, str]) -> str:
    password = form.get("password", "")
    if password != form.get("password2", ""):
        raise InvalidInput("password: the two passwords differ; type the same one twice")
    return password


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> Response:
    """The signed-in user's account: change the password."""
    return _page(request, "account.html", title="Your account", user=signed_in_user(request))


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request) -> Response:
    """A new password; every other session of the user ends, this one stays."""
    form = await _form(request)
    user: SignedInUser | None = signed_in_user(request)
    if user is None:
        return _page(request, "account.html", 400, title="Your account", user=None)
    try:
        sp(request).identity.change_password(
            user.id, form.get("current", ""), _confirmed(form),
            keep_secret=request.cookies.get(session_cookie_name(request), ""))
    except SocialPulseError as exc:
        return _page(request, "account.html", exc.status_code, title="Your account",
                     user=user, error=exc.message)
    return _page(request, "account.html", title="Your account", user=user,
                 done="Password changed; your other sessions were signed out.")
