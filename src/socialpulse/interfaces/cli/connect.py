"""``socialpulse connect`` and ``socialpulse connections``: accounts that sync themselves.

    socialpulse connect mastodon --instance https://mastodon.social --token-stdin < token.txt
    socialpulse connect mastodon --instance https://mastodon.social --public --handle bob@x.y
    socialpulse connect bluesky --handle alice.bsky.social --app-password-stdin < pw.txt
    socialpulse connect bluesky --public --handle rival.bsky.social --brand Rival
    socialpulse connect youtube --handle @rival --api-key-stdin < key.txt --brand Rival
    socialpulse connections list | sync [CONNECTION] | pause C | resume C | remove C

Credentials are read from standard input only (never an option: options land in the shell's
history and in ``ps``), stored encrypted, and never printed: a connection shows a fingerprint.
Connecting and ``connections sync`` run the sync here and print its outcome; the daily syncs
after it run in any worker (`socialpulse worker`, or the one `socialpulse serve` starts).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.jobs import JobState
from socialpulse.domain.models import Network
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    emit,
    open_workspace,
)
from socialpulse.interfaces.cli.root import app
from socialpulse.services.connections import COLUMNS, connection_record

if TYPE_CHECKING:
    from socialpulse.bootstrap import App
    from socialpulse.domain.jobs import Job

connect_app = typer.Typer(help="Connect a Mastodon, Bluesky or YouTube account (own, or "
                          "public data).",
                          no_args_is_help=True)
connections_app = typer.Typer(help="Connected accounts: list, sync, pause, resume, remove.",
                              no_args_is_help=True)
app.add_typer(connect_app, name="connect")
app.add_typer(connections_app, name="connections")

PublicOpt = Annotated[bool, typer.Option(
    "--public", help="Sync this account's public data only (a competitor), no credentials.")]
BrandOpt = Annotated[str | None, typer.Option(
    "--brand", help="Public accounts: the competitor brand it belongs to (default: its name).")]
NoSyncOpt = Annotated[bool, typer.Option(
    "--no-sync", help="Queue the first sync for a worker instead of running it now.")]
RefArg = Annotated[str, typer.Argument(help="Connection id, handle or NETWORK:HANDLE.")]


def _stdin_secret(option: str) -> Secret:
    text = sys.stdin.readline().strip()
    if not text:
        raise InvalidInput(f"{option}: nothing on standard input (pipe the credential in, "
                           "e.g. `< token.txt`)")
    return Secret(text)


def _connect(workspace: str | None, network: Network, kind: ConnectionKind, handle: str,
             server: str | None, secret: Secret | None, brand: str | None,
             no_sync: bool) -> None:
    from socialpulse.services.connections import ConnectRequest

    a, ws = open_workspace(workspace)
    conn, job = a.connections.connect(acting(), ws, ConnectRequest(
        network, kind, handle=handle, server=server, secret=secret, brand=brand))
    creds = (f"credentials set, fingerprint {conn.secret_fingerprint}" if conn.has_secret
             else "public data, no credentials")
    typer.echo(f"connected {conn.label} ({conn.kind.words}; connection {conn.id}; {creds})")
    if no_sync:
        typer.echo(f"first sync queued as job {job.id}: `socialpulse worker` runs it")
        return
    _run_here(a, [job])


def _run_here(a: App, jobs: list[Job]) -> None:
    """Run these sync jobs in this process and print each outcome (exit 1 if one failed)."""
    from socialpulse.services.jobs import worker_name
    from socialpulse.services.sync import SYNC

    runner = a.jobs.runner(a, worker_name("connections"))
    runner.drain(ids=[j.id for j in jobs], kinds=[SYNC])
    failed = False
    for j in jobs:
        done = a.jobs.get(j.id)
        kind = a.jobs.kinds[SYNC]
        if done.state is JobState.DONE:
            typer.echo(f"job {done.id} ({kind.describe(done.payload)}): "
                       f"{kind.summary(done.result or {})}")
        else:
            failed = True
            typer.echo(f"job {done.id} ({kind.describe(done.payload)}): {done.state.words}: "
                       f"{done.error or ''}", err=True)
    if failed:
        raise typer.Exit(1)


@connect_app.command("mastodon")
def connect_mastodon(
    instance: Annotated[str, typer.Option(
        "--instance", help="The account's server, e.g. https://mastodon.social.")],
    token_stdin: Annotated[bool, typer.Option(
        "--token-stdin", help="Read the access token (scope read) from standard input.")
    ] = False,
    public: PublicOpt = False,
    handle: Annotated[str, typer.Option(
        "--handle", help="Public accounts: user@server.")] = "",
    brand: BrandOpt = None,
    no_sync: NoSyncOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Connect a Mastodon account: your own (token) or any account's public data."""
    if public == token_stdin:
        raise InvalidInput("connect mastodon: give --token-stdin (your account) or --public "
                           "--handle user@server (public data)")
    secret = _stdin_secret("--token-stdin") if token_stdin else None
    _connect(workspace, Network.MASTODON,
             ConnectionKind.PUBLIC if public else ConnectionKind.OWN, handle, instance,
             secret, brand, no_sync)


@connect_app.command("bluesky")
def connect_bluesky(
    handle: Annotated[str, typer.Option("--handle", help="The account, e.g. alice.bsky.social.")],
    app_password_stdin: Annotated[bool, typer.Option(
        "--app-password-stdin", help="Read an app password from standard input.")] = False,
    public: PublicOpt = False,
    server: Annotated[str | None, typer.Option(
        "--server", help="Sign-in server (default https://bsky.social) or, with --public, "
        "the AppView (default https://public.api.bsky.app).")] = None,
    brand: BrandOpt = None,
    no_sync: NoSyncOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Connect a Bluesky account: your own (app password) or any account's public data."""
    if public == app_password_stdin:
        raise InvalidInput("connect bluesky: give --app-password-stdin (your account) or "
                           "--public (public data)")
    secret = _stdin_secret("--app-password-stdin") if app_password_stdin else None
    _connect(workspace, Network.BLUESKY,
             ConnectionKind.PUBLIC if public else ConnectionKind.OWN, handle, server, secret,
             brand, no_sync)


@connect_app.command("youtube")
def connect_youtube(
    handle: Annotated[str, typer.Option("--handle", help="The channel, e.g. @rivaloutdoor.")],
    api_key_stdin: Annotated[bool, typer.Option(
        "--api-key-stdin", help="Read a YouTube Data API key from standard input.")] = False,
    server: Annotated[str | None, typer.Option(
        "--server", help="The API's address (default https://www.googleapis.com).")] = None,
    brand: BrandOpt = None,
    no_sync: NoSyncOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Connect a YouTube channel's public data with an API key.

    Videos' views, likes and comments, and subscribers. Your own channel's analytics: import
    YouTube Studio exports."""
    if not api_key_stdin:
        raise InvalidInput("connect youtube: give --api-key-stdin (YouTube reads public data "
                           "with an API key)")
    _connect(workspace, Network.YOUTUBE, ConnectionKind.PUBLIC, handle, server,
             _stdin_secret("--api-key-stdin"), brand, no_sync)


@connections_app.command("list")
def connections_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """Connected accounts with their last and next sync, quota left and last error."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    conns = a.connections.list(ws)
    if not conns and f == "table":
        typer.echo(f"no connected accounts in workspace {ws.slug!r}; add one with "
                   "`socialpulse connect mastodon` or `socialpulse connect bluesky`")
        return
    emit(f, COLUMNS, [connection_record(c) for c in conns])


@connections_app.command("sync")
def connections_sync(
    ref: Annotated[str | None, typer.Argument(
        help="Connection id, handle or NETWORK:HANDLE (default: every one that is due).")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Sync one connection now, or every connection that is due, and print the outcome."""
    a, ws = open_workspace(workspace)
    if ref is not None:
        jobs = [a.connections.sync_now(acting(), ws, ref)]
    else:
        jobs = a.connections.sync.enqueue_due(acting(), [ws])
    if not jobs:
        typer.echo("no connection is due")
        return
    _run_here(a, jobs)


@connections_app.command("pause")
def connections_pause(ref: RefArg, workspace: WorkspaceOpt = None) -> None:
    """Stop syncing a connection (its data stays)."""
    a, ws = open_workspace(workspace)
    c = a.connections.pause(acting(), ws, ref)
    typer.echo(f"paused {c.label} (connection {c.id})")


@connections_app.command("resume")
def connections_resume(ref: RefArg, workspace: WorkspaceOpt = None) -> None:
    """Sync a paused connection again (a sync is queued now)."""
    a, ws = open_workspace(workspace)
    c, job = a.connections.resume(acting(), ws, ref)
    typer.echo(f"resumed {c.label} (connection {c.id}); sync queued as job {job.id}")


@connections_app.command("remove")
def connections_remove(ref: RefArg, workspace: WorkspaceOpt = None) -> None:
    """Disconnect: forget the connection and its credentials; synced data stays."""
    a, ws = open_workspace(workspace)
    c = a.connections.remove(acting(), ws, ref)
    typer.echo(f"removed {c.label} (connection {c.id}); its credentials are deleted, the "
               "account and its synced data stay")
