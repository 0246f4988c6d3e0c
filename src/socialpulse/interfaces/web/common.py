"""What every router module needs: the App of the request, the workspace it names, templates.

Feature routers import from here (never from `app.py`, which imports them):

    from socialpulse.interfaces.web.common import render, sp, page_workspace

`render` fills the context that `base.html` expects (navigation, workspace switcher), so a page
only passes its own variables.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader
from pydantic import BeforeValidator

from socialpulse import __version__
from socialpulse.bootstrap import App, local_actor
from socialpulse.catalogue.sources import source_title
from socialpulse.domain.actor import Action, Actor, allowed
from socialpulse.domain.errors import InvalidInput, NotFound, SocialPulseError
from socialpulse.domain.formatting import format_change, format_value
from socialpulse.domain.identity import NotSignedIn, SignedInUser, SignInRefused, is_loopback
from socialpulse.domain.models import MAX_ID, Network, Workspace, http_url, parse_enum
from socialpulse.domain.periods import DateRange, parse_date, resolve_period
from socialpulse.domain.query import Breakdown, parse_breakdown
from socialpulse.services.metrics import network_label

from .registry import NAV, active_nav
from .security import csrf_input, csrf_token, host_name, offsite_rel, require_json

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

#: Query parameter that picks the workspace of a page (default: the first workspace).
WORKSPACE_PARAM = "workspace"
#: Query parameter that evaluates goals as of another day (default: the real date).
TODAY_PARAM = "today"


def static_url(path: str) -> str:
    """URL of a packaged static file, with the app version so browsers refetch after upgrades."""
    return f"/static/{path.lstrip('/')}?v={__version__}"


def _make_env() -> Environment:
    # autoescape on for every template (not only *.html): everything shown is escaped
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = format_value
    env.filters["fmt_change"] = format_change
    env.filters["network_label"] = network_label
    env.filters["http_url"] = http_url
    env.filters["offsite_rel"] = offsite_rel
    env.filters["source_title"] = source_title
    env.globals["static"] = static_url
    env.globals["app_version"] = __version__
    env.globals["csrf_input"] = csrf_input
    env.globals["csrf_token"] = csrf_token
    return env


ENV = _make_env()


def sp(request: Request) -> App:
    """The socialpulse `App` (adapters and services) of this web app."""
    app: App = request.app.state.sp
    return app


def visible_workspaces(request: Request) -> list[Workspace]:
    """The workspaces the request's actor may see (every one for the local user): the
    switcher, the API's workspace list and the default workspace of a page read this (once
    per request: the route check, the route and its page all ask)."""
    known: list[Workspace] | None = getattr(request.state, "visible_workspaces", None)
    if known is None:
        known = request.state.visible_workspaces = sp(request).members.visible(acting(request))
    return known


def readable_workspace(request: Request, slug: str | None) -> Workspace:
    """The workspace of that slug if the request's actor may see it, else NotFound; None: the
    first one they may see.

    A workspace the actor is not a member of answers exactly as one that does not exist (the
    message lists only the workspaces they may see), so its existence is not revealed."""
    visible = visible_workspaces(request)
    if slug is None:
        if visible:
            return visible[0]
        if sp(request).workspaces.list():  # there are workspaces, none of them theirs
            raise NotFound("you are not a member of any workspace yet; ask a workspace's "
                           "owner or admin to add you")
        return sp(request).workspaces.default(None)  # names how to create one
    found = next((w for w in visible if w.slug == slug), None)
    if found is None:
        known = ", ".join(w.slug for w in visible) or "none yet"
        raise NotFound(f"workspace {slug[:63]!r} not found (workspaces: {known})")
    return found


def page_workspace(request: Request) -> Workspace:
    """The workspace named by ``?workspace=`` (NotFound -> error page), else the first one the
    actor may see (`readable_workspace`)."""
    return readable_workspace(request, request.query_params.get(WORKSPACE_PARAM) or None)


def api_workspace(request: Request, slug: str) -> Workspace:
    """The workspace an API path names (``/api/workspaces/{slug}/...``); unknown or not the
    actor's -> NotFound.

    Unlike `page_workspace` there is no default: an API call always names its workspace, and
    falling back to the first one would silently answer for the wrong brand.
    """
    return readable_workspace(request, slug)


def can(request: Request, action: Action | str, workspace: Workspace | None) -> bool:
    """Whether the request's actor may do ``action`` (an `Action` or its value, e.g.
    ``"goals.edit"``) in ``workspace``: pages hide the buttons and forms of what they may not
    do (the service refuses it anyway). Not signed in: nothing."""
    try:
        actor = acting(request)
    except SocialPulseError:
        return False
    return allowed(actor, Action(action), workspace.slug if workspace else None)


#: The session cookie: ``__Host-`` over https (Secure, whole host, no Domain); browsers refuse
#: that prefix without Secure, so plain http on 127.0.0.1 uses the plain name.
SESSION_COOKIE_HTTP = "socialpulse_session"
SESSION_COOKIE_HTTPS = "__Host-socialpulse_session"


def session_cookie_name(request: Request) -> str:
    return SESSION_COOKIE_HTTPS if request.url.scheme == "https" else SESSION_COOKIE_HTTP


def signed_in_user(request: Request) -> SignedInUser | None:
    """The user of the request's session cookie (None: no live session), read once per
    request."""
    if not hasattr(request.state, "signed_in"):
        secret = request.cookies.get(session_cookie_name(request), "")
        request.state.signed_in = (sp(request).identity.user_for_session(secret)
                                   if secret else None)
    user: SignedInUser | None = request.state.signed_in
    return user


def acting(request: Request) -> Actor:
    """Who a request acts as, passed to every service write: the one place pages and the API
    resolve it (once per request), in this order:

    1. ``Authorization: Bearer``: the API token's actor; unknown, expired or revoked -> 401.
    2. the session cookie: its user, with their roles (`MembersService.actor_for`).
    3. no user at all and a server bound to this machine only: the local user, as before
       sign-in existed (one person on a laptop).
    4. else `NotSignedIn`: pages redirect to the sign-in page, the API answers 401.
    """
    known: Actor | None = getattr(request.state, "actor", None)
    if known is not None:
        return known
    app = sp(request)
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        actor = app.tokens.actor_for_token(secret.strip())
        if actor is None:
            raise SignInRefused("Authorization: the API token is unknown, expired or revoked")
    elif (user := signed_in_user(request)) is not None:
        actor = app.members.actor_for(user)
    elif (not app.identity.has_users() and is_loopback(app.settings.host)
          and came_from_this_machine(request)):
        actor = local_actor()
    else:
        raise NotSignedIn("sign in first (pages: /signin; the API: an Authorization: Bearer "
                          "token)")
    request.state.actor = actor
    return actor


#: Headers a reverse proxy adds: a request carrying one was forwarded from elsewhere.
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


def came_from_this_machine(request: Request) -> bool:
    """Whether a request was sent to a loopback name and not forwarded by a proxy: the local
    mode (no users) serves only those. A server bound to 127.0.0.1 behind a reverse proxy
    (which adds X-Forwarded-For, or sends the public name as Host) would otherwise open the
    local user's powers to whoever reaches the proxy."""
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    return is_loopback(host_name(request.headers.get("host", "")))


#: A route parameter that is the acting user (``actor: Acting``).
Acting = Annotated[Actor, Depends(acting)]


def page_url(path: str, workspace: Workspace | None = None, **params: Any) -> str:
    """A link to one of our pages that keeps the workspace (omitted params/None are dropped)."""
    query: dict[str, Any] = {}
    if workspace is not None:
        query[WORKSPACE_PARAM] = workspace.slug
    query.update({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{urlencode(query)}" if query else path


def redirect_to(path: str, workspace: Workspace | None = None, **params: Any) -> RedirectResponse:
    """303 See Other to `page_url` (path, workspace, params): after a form POST the browser
    GETs the target, so reloading the page never re-posts the form."""
    return RedirectResponse(page_url(path, workspace, **params), status_code=303)


def parse_today(text: str | None) -> date | None:
    """``today=YYYY-MM-DD`` -> that day; blank -> None (the real date).

    Lets a demo workspace whose data ends in the past be evaluated as of its last day; one
    parser so every page and endpoint rejects a bad date with the same message (400, naming
    ``today``); within the plausible years, seen from the real date.
    """
    return parse_date(text, TODAY_PARAM, date.today()) if text else None


def request_today(request: Request) -> date | None:
    """The ``?today=`` of a request (see `parse_today`)."""
    return parse_today(request.query_params.get(TODAY_PARAM))


def today_text(today: date | None) -> str:
    """``today`` as pages pass it on (links, forms, redirects): the ISO date, or "" for the real
    date, which `page_url` drops so URLs stay clean."""
    return today.isoformat() if today else ""


def body_fields(body: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The body's known fields, type-checked (``"str"``, ``"bool"`` or ``"list[str]"``; a
    missing or null field is None), so each PATCH endpoint states its fields once."""
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise InvalidInput(f"body: unknown field {unknown[0]!r}; fields are "
                           f"{', '.join(fields)}")
    out: dict[str, Any] = {}
    for name, kind in fields.items():
        v = body.get(name)
        if v is None:
            pass
        elif kind == "bool" and not isinstance(v, bool):
            raise InvalidInput(f"body: {name} must be true or false")
        elif kind == "str" and not isinstance(v, str):
            raise InvalidInput(f"body: {name} must be a string")
        elif kind == "list[str]" and not (isinstance(v, list)
                                          and all(isinstance(x, str) for x in v)):
            raise InvalidInput(f"body: {name} must be a list of strings")
        out[name] = v
    return out


#: Largest JSON body an endpoint reads (goal, OKR and listening bodies are a few kB).
MAX_JSON_BYTES = 1024 * 1024
#: Deepest nesting of arrays and objects a JSON body may have: Python's parser recurses once
#: per level, so a body nested 100,000 deep would otherwise end in a RecursionError (a 500).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it (strings
    are skipped, so brackets inside them do not count)."""
    depth = deepest = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        if m[0] in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _no_constant(name: str) -> Any:
    raise InvalidInput(f"body: {name} is not a JSON number; send a finite number")


def parse_json_object(data: bytes) -> dict[str, Any]:
    """A JSON body as an object, bounded in size and depth (empty body: ``{}``).

    Every failure is one line naming ``body`` (400): malformed JSON, non-UTF-8 bytes, NaN or
    Infinity, numbers too long to convert, nesting deeper than `MAX_JSON_DEPTH`, a body larger
    than `MAX_JSON_BYTES`, a value that is not an object."""
    if len(data) > MAX_JSON_BYTES:
        raise InvalidInput(f"body: larger than {MAX_JSON_BYTES // 1024} kB")
    if json_depth(data) > MAX_JSON_DEPTH:
        raise InvalidInput(f"body: nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        value = json.loads(data or b"{}", parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise InvalidInput("body: not UTF-8 text; send JSON encoded as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"body: not valid JSON ({exc})") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 5,000 digits
        raise InvalidInput(f"body: not valid JSON ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(value, dict):
        raise InvalidInput("body: must be a JSON object")
    return value


async def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (see `parse_json_object`).

    Malformed JSON or a non-object is InvalidInput (400 naming ``body``), never FastAPI's 422
    nor a 500, so every JSON endpoint answers bad input the same way.
    """
    require_json(request.headers)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_JSON_BYTES:
        raise InvalidInput(f"body: larger than {MAX_JSON_BYTES // 1024} kB")
    return parse_json_object(await request.body())


def row_id(value: object) -> int:
    """An id as a path or query parameter gives it: ASCII digits within the 64-bit range.

    ``int()`` alone takes "¹" or "٣" (Unicode digits), and ids beyond what the database can
    compare then fail deep inside the store as 500s. Raises ValueError (FastAPI turns it into
    a 400 naming the path parameter); `parse_id` is the same rule for query parameters."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValueError(f"{str(value)[:40]!r} is not an id (a whole number)")
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"{str(value)[:40]} is not an id (ids are whole numbers from 0 to "
                         f"{MAX_ID})")
    return number


def parse_id(value: object, field: str) -> int:
    """`row_id` for a query or form field: a bad id is a one-line 400 naming ``field``."""
    try:
        return row_id(value)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}") from None


#: A path parameter holding a row id, checked by `row_id` before the route runs (the OpenAPI
#: schema still says integer). Every route with an id in its path uses it.
RowId = Annotated[int, BeforeValidator(row_id)]


def safe_filename(name: str | None, field: str, default: str = "upload") -> str:
    """A file name a client sends (``?filename=``, an upload's name) as a plain name: no
    folders, no ``..``, no control characters, at most 200 characters. Anything else is a
    one-line 400 naming the field, never a path the server would write outside its temporary
    folder (or an IsADirectoryError)."""
    text = (name or "").strip()
    if not text:
        return default
    if ("/" in text or "\\" in text or text in (".", "..") or text.startswith("..")
            or any(ord(c) < 32 or ord(c) == 127 for c in text) or len(text) > 200):
        raise InvalidInput(f"{field}: {text[:60]!r} is not a plain file name (no folders, "
                           "no '..', at most 200 characters)")
    return text


#: Navigation entries shown only to those who may do what the page is for (a page whose
#: whole point is a write, or a read beyond the workspace's data).
NAV_NEEDS: dict[str, Action] = {
    "/import": Action.DATA_IMPORT,
    "/activity": Action.AUDIT_READ,
    "/connections": Action.CONNECTIONS_EDIT,
}


def base_context(request: Request, workspace: Workspace | None) -> dict[str, Any]:
    """Variables `base.html` uses: navigation, the workspace switcher, the current path."""
    signed_in: SignedInUser | None = None
    try:
        signed_in = signed_in_user(request)
        acting(request)  # not signed in (NotSignedIn): no workspace names on the page
        workspaces = visible_workspaces(request)  # a user's switcher: their workspaces
    except Exception:  # the error page must render even when the store is down
        workspaces = []
    current = active_nav(request.url.path)
    return {
        "request": request,
        "nav": [
            {"label": n.label, "href": page_url(n.path, workspace), "active": n is current}
            for n in NAV if n.path not in NAV_NEEDS or can(request, NAV_NEEDS[n.path], workspace)
        ],
        "workspaces": workspaces,
        "workspace": workspace,
        "current_path": request.url.path,
        "page_url": page_url,
        # `{% if can("goals.edit") %}`: hide what the actor may not do in this workspace
        "can": lambda action: can(request, action, workspace),
        "signed_in": signed_in,  # the header's name and sign-out buttons
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    workspace: Workspace | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page (or an htmx partial) with the base context plus ``context``."""
    ctx = base_context(request, workspace)
    ctx.update(context or {})
    html = ENV.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code)


def is_htmx(request: Request) -> bool:
    """The request comes from htmx (swap a fragment, not the whole page)."""
    return request.headers.get("HX-Request") == "true"


def date_range_params(
    from_: str | None, to: str | None, period: str | None
) -> DateRange | None:
    """The period of a request: ``period`` (2026-Q3, 2026-09, A..B) or ``from``/``to``.

    An open side of from/to reaches all data before/after (from 2004, up to five years after
    today: the plausible years), as in the CLI.
    """
    return resolve_period(from_, to, period, today=date.today())


def parse_metric_list(text: str | None, variant: str | None = None) -> list[tuple[str, str | None]]:
    """``engagement_rate,followers`` or ``engagement_rate:by_reach`` -> (id, variant) pairs."""
    out: list[tuple[str, str | None]] = []
    for raw in (text or "").split(","):
        mid, _, var = raw.strip().partition(":")
        if mid.strip():
            out.append((mid.strip(), var.strip() or (variant.strip() if variant else None)))
    if not out:
        raise InvalidInput(
            "metrics: name at least one metric, e.g. metrics=engagement_rate,followers"
        )
    return out


def parse_networks(text: str | None) -> list[str]:
    """``x,linkedin`` -> network values (an unknown one names the allowed values)."""
    return [parse_enum(Network, n, "networks").value for n in (text or "").split(",") if n.strip()]


def parse_by(text: str | None) -> Breakdown:
    """`parse_breakdown` for the ``by`` query parameter (its messages name the CLI's ``--by``)."""
    try:
        return parse_breakdown(text)
    except InvalidInput as exc:
        raise InvalidInput(exc.message.replace("--by:", "by:", 1)) from None
