"""The FastAPI app factory: JSON API under ``/api`` and server-rendered pages, one process.

Adding a feature's web part takes two steps:

1. write a router module beside this one (``pages_goals.py``, ``api_goals.py``...) exposing
   ``router = APIRouter()``; pages call ``register_nav(NavItem(...))`` at import time and render
   templates through `common.render`; Overview panels use ``register_overview_panel``;
2. add one line to `ROUTERS` below.

FastAPI's ``/docs`` and ``/redoc`` are off (they load their assets from a CDN and the app must
work offline); the schema stays at ``/openapi.json``.
"""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRouter
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialpulse import __version__
from socialpulse.bootstrap import App, open_home
from socialpulse.domain.errors import SocialPulseError
from socialpulse.settings import Settings

from . import api_core, pages_core
from .access import check_route
from .common import STATIC_DIR, render
from .headers import CONTENT_SECURITY_POLICY, SecurityHeadersMiddleware
from .jobs_runner import jobs_lifespan, make_runner
from .registry import (  # re-exported: the registries feature modules append to
    NAV,
    OVERVIEW_PANELS,
    NavItem,
    OverviewPanel,
    register_nav,
    register_overview_panel,
)
from .security import SecurityMiddleware
from .signin import require_sign_in

__all__ = [
    "NAV",
    "OVERVIEW_PANELS",
    "NavItem",
    "OverviewPanel",
    "CONTENT_SECURITY_POLICY",
    "ROUTERS",
    "create_app",
    "register_nav",
    "register_overview_panel",
]

log = logging.getLogger("socialpulse.web")

#: Routers of the app, in order. Feature modules: add one line each.
ROUTERS: list[APIRouter] = [
    api_core.router,
    pages_core.router,
    __import__("socialpulse.interfaces.web.goals", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.maturity", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.maturity_api", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.audit", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.funnel", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.listening", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.listening_live", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.imports", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.reports", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.posts", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.audience", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.compare", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.connections", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.publishing", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.inbox", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.workspace", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.signin", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.activity", fromlist=["router"]).router,
    __import__("socialpulse.interfaces.web.oidc", fromlist=["router"]).router,
]

def wants_json(request: Request) -> bool:
    """API paths answer JSON errors; pages answer an HTML error page."""
    path = request.url.path
    return path == "/api" or path.startswith("/api/") or path == "/openapi.json"


def error_response(request: Request, status: int, message: str) -> Response:
    """``{"error": {"message": ...}}`` for the API, the rendered error page otherwise."""
    if wants_json(request):
        return JSONResponse({"error": {"message": message}}, status_code=status)
    try:
        return render(
            request,
            "error.html",
            {"status": status, "message": message, "title": f"Error {status}"},
            status_code=status,
        )
    except Exception:  # the error page itself failed: plain text, still one line
        log.exception("could not render the error page")
        return Response(f"Error {status}: {message}\n", status_code=status,
                        media_type="text/plain")


def unexpected_response(request: Request, exc: Exception) -> Response:
    """A bug's answer: 500 with one line naming the exception's type (never a traceback);
    the details go to the server log (path only: query strings may carry user data)."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500,
                          f"internal error ({type(exc).__name__}); see the server log")


class CatchUnexpected:
    """Answers an unexpected exception of a route with `unexpected_response` and stops it.

    Starlette's catch-all handler (``exception_handler(Exception)``) sends its response and
    then re-raises, so that servers log the error; uvicorn then closes the connection, and a
    client's next request on that keep-alive connection failed too. Caught here, inside the
    other middleware, the 500 is an ordinary response (with the security headers) and the
    connection stays usable. An exception after the response started is re-raised: there is
    no way left to answer it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            if started:
                raise
            await unexpected_response(Request(scope), exc)(scope, receive, send)


def _validation_message(exc: RequestValidationError) -> str:
    """One line naming the field: ``query parameter 'from': Field required``."""
    parts = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ())]
        where = {"query": "query parameter", "path": "path parameter", "body": "body field",
                 "header": "header", "cookie": "cookie"}.get(loc[0], loc[0]) if loc else "input"
        name = ".".join(loc[1:]) or "(body)"
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{where} {name!r}: {msg}")
    return "; ".join(parts) or "invalid request"


def create_app(settings: Settings, run_jobs: bool = True) -> FastAPI:
    """The web app over one data home (opened and migrated once, kept on ``app.state.sp``);
    with ``run_jobs``, a thread runs queued jobs while the app lives (`jobs_runner`)."""
    sp = open_home(settings)
    runner = make_runner(sp, run_jobs)
    app = FastAPI(
        lifespan=jobs_lifespan(runner),
        title="socialpulse",
        version=__version__,
        description="Metrics, goals, maturity and listening for an organisation's social media.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.sp = sp
    app.state.settings = settings
    app.state.jobs_runner = runner

    _add_error_handlers(app)
    _add_middleware(app, settings, sp)
    require_sign_in(app)  # before the routers: every route resolves who acts
    for router in ROUTERS:
        # who may do what: every route's need from the route table (access.py), checked
        # before the route runs
        app.include_router(router, dependencies=[Depends(check_route)])
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Every error answers in the same shape (`error_response`): JSON for the API, a page
    for the browser."""

    @app.exception_handler(SocialPulseError)
    async def _user_error(request: Request, exc: SocialPulseError) -> Response:
        return error_response(request, exc.status_code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"no such page or endpoint: {request.url.path}"
        else:
            message = str(exc.detail)
        resp = error_response(request, exc.status_code, message)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(Exception)  # errors of the middleware themselves
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return unexpected_response(request, exc)


def _add_middleware(app: FastAPI, settings: Settings, sp: App) -> None:
    """Unexpected errors caught innermost, then host and CSRF checks, then the security
    headers on every response."""
    app.add_middleware(CatchUnexpected)  # first added: innermost, around the routes

    # inside the headers middleware, so its refusals carry the same security headers; the key
    # signs CSRF tokens, derived from the home's secret key so that a page served by one
    # server process (serve --workers N) posts to another
    app.add_middleware(SecurityMiddleware, allowed_hosts=settings.allowed_hosts,
                       key=sp.signing_key("csrf"), on_error=error_response)

    app.add_middleware(SecurityHeadersMiddleware)  # last added: outermost
