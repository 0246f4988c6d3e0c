"""``socialpulse users``: the people who may sign in to this server.

    socialpulse users add ana --name "Ana Silva" --site-admin   # asks for the password
    socialpulse users add bob --password-stdin < secret.txt
    socialpulse users add cleo --link        # no password yet: prints a link to set one
    socialpulse users list
    socialpulse users disable bob            # signs bob out everywhere
    socialpulse users enable bob
    socialpulse users reset-password bob     # prints a one-time link (and e-mails it)

A password is never a command-line argument (other users of the machine can read those, and
shells keep them in history). Links point at ``--url`` (default: $SOCIALPULSE_BASE_URL, else
http://127.0.0.1:8000), the address people open the server by.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from typing import Annotated

import typer

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.identity import is_loopback
from socialpulse.interfaces.cli.common import FormatOpt, acting, check_format, emit, open_app
from socialpulse.interfaces.cli.root import app
from socialpulse.settings import DEFAULT_ALLOWED_HOSTS, Settings

users_app = typer.Typer(help="People who may sign in: add, list, disable, reset passwords.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")

LoginArg = Annotated[str, typer.Argument(help="The user's login (case-insensitive).")]
UrlOpt = Annotated[str | None, typer.Option(
    "--url", help="Address people open the server by, for links (default: "
    "$SOCIALPULSE_BASE_URL, else http://127.0.0.1:8000).")]


def base_url(url: str | None) -> str:
    """The server's address for links: ``--url``, $SOCIALPULSE_BASE_URL, or the default."""
    text = (url or os.environ.get("SOCIALPULSE_BASE_URL") or "http://127.0.0.1:8000").strip()
    if not text.startswith(("http://", "https://")) or len(text) > 300:
        raise InvalidInput(f"--url: {text[:60]!r} is not an http:// or https:// address")
    return text.rstrip("/")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise InvalidInput("--password-stdin: standard input held no password")
        return line.rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("add")
def add(
    login: LoginArg,
    name: Annotated[str, typer.Option(help="Display name (default: the login).")] = "",
    email: Annotated[str | None, typer.Option(help="E-mail address (reset links).")] = None,
    site_admin: Annotated[bool, typer.Option(
        "--site-admin", help="May create workspaces and manage users (the first user always "
        "is).")] = False,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input "
        "instead of asking.")] = False,
    link: Annotated[bool, typer.Option(
        "--link", help="No password now: print a one-time link (1 hour) where the user sets "
        "one.")] = False,
    url: UrlOpt = None,
) -> None:
    """Add a user who may sign in (roles per workspace: `socialpulse members`)."""
    if link and password_stdin:
        raise InvalidInput("--link: give either --link or --password-stdin, not both")
    a = open_app()
    password = None if link else _read_password(password_stdin)
    user = a.identity.add_user(acting(), login, name=name, email=email, password=password,
                               site_admin=site_admin)
    role = " (site admin)" if user.site_admin else ""
    typer.echo(f"added user {user.login}{role}")
    if link:
        sent = a.identity.reset_link(acting(), user.login, base_url(url))
        typer.echo(f"set-password link (works once, for 1 hour): {sent.url}")


@users_app.command("list")
def list_users(fmt: FormatOpt = "table") -> None:
    """The users, by login."""
    check_format(fmt)
    a = open_app()
    records = [{"login": u.login, "name": u.name, "email": u.email or "",
                "site_admin": u.site_admin, "disabled": u.disabled,
                "password": "set" if u.has_password else "none",
                "created": u.created_at.strftime("%Y-%m-%d %H:%M")} for u in a.identity.users()]
    if not records and fmt == "table":
        typer.echo("no users: `socialpulse serve` on 127.0.0.1 is the local user's; add one "
                   "with `socialpulse users add LOGIN`")
        return
    emit(fmt, ["login", "name", "email", "site_admin", "disabled", "password", "created"],
         records)


@users_app.command("disable")
def disable(login: LoginArg) -> None:
    """Stop a user from signing in; signs them out everywhere (their data stays)."""
    user = open_app().identity.set_disabled(acting(), login, True)
    typer.echo(f"disabled user {user.login}; their sessions ended")


@users_app.command("enable")
def enable(login: LoginArg) -> None:
    """Let a disabled user sign in again."""
    user = open_app().identity.set_disabled(acting(), login, False)
    typer.echo(f"enabled user {user.login}")


@users_app.command("reset-password")
def reset_password(login: LoginArg, url: UrlOpt = None) -> None:
    """Print a one-time link (1 hour) where the user sets a new password; e-mailed too when
    SOCIALPULSE_SMTP_URL is set and the user has an address."""
    sent = open_app().identity.reset_link(acting(), login, base_url(url))
    typer.echo(f"password link for {sent.user.login} (works once, for 1 hour): {sent.url}")
    if sent.emailed_to:
        typer.echo(f"e-mailed to {sent.emailed_to}")
    elif sent.mail_error:
        typer.echo(f"socialpulse: warning: not e-mailed: {sent.mail_error}", err=True)


def sign_in_check(a: App, settings: Settings, host: str, port: int, *,
                  building_demo: bool = False) -> str | None:
    """Before `serve` (or `demo`) binds ``host``: what to tell about signing in (printed
    after the server's address), or a refusal.

    With users, nothing. Without users, 127.0.0.1 is the local user's, as always (say how to
    add users); another address on an empty home gets a one-time link that creates the
    owner; on a home with data (or the demo about to be built) it refuses to start, so a
    server used without sign-in until now is never opened to the network as it is."""
    if a.identity.has_users():
        return None
    if is_loopback(host):
        return ("no users: anyone using this machine acts as you (no sign-in); add users "
                "with `socialpulse users add LOGIN` to require it")
    if building_demo or a.workspaces.list():
        raise InvalidInput(f"--host {host}: nobody could sign in (no users); add the owner "
                           "with `socialpulse users add LOGIN --site-admin` first (only "
                           "127.0.0.1 serves without sign-in)")
    link = a.identity.setup_link(f"http://{_link_host(settings, host)}:{port}")
    return f"no users yet: create the owner at this one-time link (1 hour): {link}"


def _link_host(settings: Settings, host: str) -> str:
    """A name browsers can open: the first host name added for this server (a proxy's or
    the machine's), else the bound address unless it is a wildcard, else 127.0.0.1."""
    extra = [h for h in settings.allowed_hosts if h not in DEFAULT_ALLOWED_HOSTS]
    if extra:
        return extra[0]
    try:
        if ipaddress.ip_address(host.strip("[]")).is_unspecified:  # 0.0.0.0, ::
            return "127.0.0.1"
    except ValueError:  # a host name
        pass
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
