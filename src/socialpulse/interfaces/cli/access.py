"""``socialpulse members`` and ``socialpulse tokens``: who may see and do what in a workspace,
and the API tokens of scripts.

    socialpulse members add acme ana analyst
    socialpulse members list acme
    socialpulse members set-role acme ana viewer
    socialpulse members remove acme ana
    socialpulse tokens create ana --workspace acme --read-only --expires-days 30
    socialpulse tokens list
    socialpulse tokens revoke 3

The command line runs on the server, as its local user, who may do everything; the users
named here act through the pages and the API. A token's secret is printed once, by `create`:
only its sha256 is kept, so nobody can show it again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from socialpulse.domain.access import MAX_TOKEN_DAYS
from socialpulse.domain.roles import ROLE_HELP, Role, parse_role
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    acting,
    check_format,
    emit,
    id_argument,
    open_app,
    open_workspace,
)
from socialpulse.interfaces.cli.root import app
from socialpulse.services.tokens import DEFAULT_TOKEN_DAYS

members_app = typer.Typer(help="Who may see and do what in a workspace (roles).",
                          no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for scripts (Authorization: Bearer).",
                         no_args_is_help=True)
app.add_typer(members_app, name="members")
app.add_typer(tokens_app, name="tokens")

WorkspaceArg = Annotated[str, typer.Argument(help="The workspace's slug.")]
LoginArg = Annotated[str, typer.Argument(help="The user's login.")]
ROLES_HELP = "; ".join(f"{r.value}: {ROLE_HELP[r]}" for r in Role)
RoleArg = Annotated[str, typer.Argument(help=f"The role. {ROLES_HELP}.")]


def _when(t: datetime | None) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if t else ""


@members_app.command("add")
def members_add(workspace: WorkspaceArg, login: LoginArg, role: RoleArg) -> None:
    """Make a user a member of the workspace with a role."""
    a, ws = open_workspace(workspace)
    m = a.members.add(acting(), ws, login, parse_role(role))
    typer.echo(f"{m.login} is now {m.role.value} of {ws.slug}")


@members_app.command("list")
def members_list(workspace: WorkspaceArg, fmt: FormatOpt = "table") -> None:
    """The workspace's members and their roles, by login."""
    check_format(fmt)
    a, ws = open_workspace(workspace)
    records = [{"login": m.login, "name": m.name, "role": m.role.value,
                "disabled": m.disabled, "since": _when(m.added_at)} for m in a.members.list(ws)]
    if not records and fmt == "table":
        typer.echo(f"no members in {ws.slug}: add one with `socialpulse members add {ws.slug} "
                   "LOGIN ROLE`")
        return
    emit(fmt, ["login", "name", "role", "disabled", "since"], records)


@members_app.command("set-role")
def members_set_role(workspace: WorkspaceArg, login: LoginArg, role: RoleArg) -> None:
    """Change a member's role."""
    a, ws = open_workspace(workspace)
    m = a.members.set_role(acting(), ws, login, parse_role(role))
    typer.echo(f"{m.login} is now {m.role.value} of {ws.slug}")


@members_app.command("remove")
def members_remove(workspace: WorkspaceArg, login: LoginArg) -> None:
    """Take a user out of the workspace (a workspace keeps at least one owner)."""
    a, ws = open_workspace(workspace)
    a.members.remove(acting(), ws, login)
    typer.echo(f"{login.strip().lower()} is no longer a member of {ws.slug}")


@tokens_app.command("create")
def tokens_create(
    login: LoginArg,
    workspace: Annotated[list[str] | None, typer.Option(
        "--workspace", "-w", help="Only this workspace (repeat for several; default: every "
        "workspace the user is a member of).")] = None,
    read_only: Annotated[bool, typer.Option(
        "--read-only", help="Only reads: every write is refused.")] = False,
    expires_days: Annotated[int, typer.Option(
        "--expires-days", min=1, max=MAX_TOKEN_DAYS,
        help="Days until it stops working.")] = DEFAULT_TOKEN_DAYS,
    name: Annotated[str, typer.Option(help="What it is for (shown by tokens list).")] = "",
) -> None:
    """Create an API token acting for a user; prints its secret, once."""
    a = open_app()
    secret, token = a.tokens.create(acting(), login, name, workspace or None, read_only,
                                    expires_days)
    scope = ", ".join(token.workspaces) if token.workspaces is not None else "all its user's"
    access = "read-only" if token.read_only else "read and write"
    typer.echo(f"token {token.id} for {token.login} ({access}; workspaces: {scope}; "
               f"expires {_when(token.expires_at)} UTC)")
    typer.echo(f"secret (shown once, keep it safe): {secret}")


@tokens_app.command("list")
def tokens_list(
    login: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """API tokens (never their secrets), newest first."""
    check_format(fmt)
    a = open_app()
    now = datetime.now(UTC)
    records = [{"id": t.id, "login": t.login, "name": t.name, "prefix": t.prefix,
                "workspaces": ",".join(t.workspaces) if t.workspaces is not None else "all",
                "access": "read" if t.read_only else "read-write", "state": t.state(now),
                "expires": _when(t.expires_at), "last_used": _when(t.last_used_at)}
               for t in a.tokens.list(acting(), login)]
    if not records and fmt == "table":
        typer.echo("no tokens: create one with `socialpulse tokens create LOGIN`")
        return
    emit(fmt, ["id", "login", "name", "prefix", "workspaces", "access", "state", "expires",
               "last_used"], records)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, id_argument("The token's id (tokens list).")]
                  ) -> None:
    """Stop a token from working, at once."""
    t = open_app().tokens.revoke(acting(), token_id)
    typer.echo(f"revoked token {t.id} of {t.login}")
