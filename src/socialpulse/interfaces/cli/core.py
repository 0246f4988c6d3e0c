"""`socialpulse init`, `demo` and `serve`: the data home, the demo workspace and the dashboard."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated

import typer

from socialpulse.domain.periods import parse_date
from socialpulse.interfaces.cli.common import acting, open_app
from socialpulse.interfaces.cli.root import app
from socialpulse.interfaces.cli.users import sign_in_check
from socialpulse.settings import DEFAULT_HOST, DEFAULT_PORT, Settings


@app.command()
def init() -> None:
    """Create an empty data home (database and lake)."""
    a = open_app(create=True)
    typer.echo(f"data home ready at {a.settings.home}")


@app.command()
def demo(
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard afterwards.")
    ] = True,
    until: Annotated[
        str | None, typer.Option(help="Last day of demo data (default: yesterday).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port.")] = DEFAULT_PORT,
) -> None:
    """Create the demo workspace (18 months, 6 networks, 2 competitors), then serve it."""
    last = parse_date(until, "--until") if until else date.today() - timedelta(days=1)
    a = open_app(create=True)
    note = sign_in_check(a, a.settings, host, port, building_demo=True) if serve_after else None
    summary = a.demo.build(acting(), last)
    typer.echo(f"{summary.line} in {a.settings.home}")
    if serve_after:
        _serve(a.settings, host, port, note=note)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind (default: this machine only).")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port.")] = DEFAULT_PORT,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="Another host name the browser may use to reach the server "
        "(e.g. the name of a proxy in front of it); repeatable. 127.0.0.1, localhost, [::1] "
        "and the --host address are always allowed; other Host headers get 400.")] = None,
    worker: Annotated[bool, typer.Option(
        "--worker/--no-worker", help="Run queued jobs (web imports, scheduled reports) in "
        "this process; --no-worker when `socialpulse worker` runs them elsewhere.")] = True,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Server processes sharing the port (a team's "
        "server: about one per CPU core).")] = 1,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        "--forwarded-allow-ips", help="Addresses of the reverse proxies whose "
        "X-Forwarded-Proto and X-Forwarded-For are trusted (comma-separated; default "
        "127.0.0.1, or $FORWARDED_ALLOW_IPS).", show_default=False)] = None,
) -> None:
    """Serve the dashboard and the JSON API of an existing data home.

    With no users, 127.0.0.1 serves the local user without sign-in, as always; another
    address needs users: on an empty home it prints a one-time link that creates the owner,
    on a home with data it refuses to start (add the owner with `socialpulse users add`)."""
    a = open_app()
    settings = a.settings.with_hosts(*(allowed_host or []))
    note = sign_in_check(a, settings, host, port)
    _serve(settings, host, port, worker, workers, forwarded_allow_ips, note=note)


#: Seconds a stopping server (SIGTERM, Ctrl+C) gives running requests before it cancels them:
#: without a bound, one slow request (or a client that never sends its body) kept it running.
SHUTDOWN_GRACE_S = 5


def _serve(s: Settings, host: str, port: int, run_jobs: bool = True, workers: int = 1,
           forwarded_allow_ips: str | None = None, note: str | None = None) -> None:
    """uvicorn on ``host:port``: the app built here, or with ``workers`` > 1 that many
    processes, each building it from the settings put in their environment (`web.server`)."""
    import uvicorn

    from socialpulse.interfaces.web.app import create_app
    from socialpulse.interfaces.web.server import FACTORY, export_settings

    typer.echo(f"socialpulse dashboard on http://{host}:{port}/  (Ctrl+C to stop)")
    if note:  # about signing in (`users.sign_in_check`)
        typer.echo(note)
    # the address served on is a name browsers use (a wildcard such as 0.0.0.0 is not)
    # the bind address goes into the settings: with no users, only loopback is the local user's
    s = replace(s.with_hosts(host), host=host)
    # X-Forwarded-Proto/-For are believed from these proxies only (uvicorn's default: 127.0.0.1)
    options = {"host": host, "port": port, "log_level": "warning", "proxy_headers": True,
               "forwarded_allow_ips": forwarded_allow_ips,
               "timeout_graceful_shutdown": SHUTDOWN_GRACE_S}
    if workers > 1:
        export_settings(s, run_jobs)
        uvicorn.run(FACTORY, factory=True, workers=workers, **options)  # type: ignore[arg-type]
    else:
        uvicorn.run(create_app(s, run_jobs), **options)  # type: ignore[arg-type]
    _abandon_running_requests()


def _abandon_running_requests() -> None:
    """Exit now if a request still runs in a worker thread after the server stopped.

    Cancelling a request cannot stop the thread that computes it, and Python waits for every
    such thread before it exits: a page still computing (a CPU-bound chart) kept a stopped
    server alive for minutes. Writes are atomic (database transactions, lake batches that only
    count once committed), so leaving them is what a crash would do, and both are tested."""
    import threading

    others = [t for t in threading.enumerate()
              if t is not threading.current_thread() and not t.daemon]
    for t in others:
        t.join(timeout=1.0)
    if any(t.is_alive() for t in others):
        typer.echo("socialpulse: stopped; requests still running were abandoned", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
