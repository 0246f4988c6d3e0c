"""`socialpulse workspaces ...` and `socialpulse accounts ...`: who the data is about."""

from __future__ import annotations

from typing import Annotated

import typer

from socialpulse.domain.models import Function, Network, parse_enum
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    emit,
    open_app,
    open_workspace,
)
from socialpulse.interfaces.cli.root import app

workspaces_app = typer.Typer(help="Workspaces (a brand or a client).", no_args_is_help=True)
accounts_app = typer.Typer(help="Social accounts of a workspace.", no_args_is_help=True)
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(accounts_app, name="accounts")


@workspaces_app.command("list")
def workspaces_list(fmt: FormatOpt = "table") -> None:
    """List workspaces."""
    f = check_format(fmt)
    a = open_app()
    records = [
        {
            "slug": w.slug,
            "name": w.name,
            "timezone": w.timezone,
            "languages": ",".join(w.languages),
            "accounts": len(a.workspaces.accounts(w)),
        }
        for w in a.workspaces.list()
    ]
    emit(f, ["slug", "name", "timezone", "languages", "accounts"], records)


@workspaces_app.command("add")
def workspaces_add(
    slug: str,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    timezone: Annotated[str, typer.Option(help="IANA time zone for day boundaries.")] = "UTC",
    languages: Annotated[str, typer.Option(help="Comma-separated ISO 639 codes.")] = "en",
) -> None:
    """Create a workspace."""
    a = open_app(create=True)
    ws = a.workspaces.create(
        acting(), slug, name or slug, timezone, languages.split(",")
    )
    typer.echo(f"workspace {ws.slug!r} created")


@workspaces_app.command("update")
def workspaces_update(
    slug: str,
    name: Annotated[str | None, typer.Option(help="New display name.")] = None,
    timezone: Annotated[str | None, typer.Option(
        help="New IANA time zone: re-derives the local day of every post and mention.")] = None,
    languages: Annotated[str | None, typer.Option(
        help="Comma-separated ISO 639 codes (for mentions ingested from now on).")] = None,
) -> None:
    """Change a workspace's name, time zone or languages."""
    a = open_app()
    ws, rows = a.workspaces.update(
        acting(), a.workspaces.get(slug), name, timezone,
        languages.split(",") if languages is not None else None)
    typer.echo(f"workspace {ws.slug!r}: name {ws.name!r}, timezone {ws.timezone}, "
               f"languages {','.join(ws.languages)}")
    if rows:
        typer.echo("local days re-derived in " + ws.timezone + ": "
                   + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in rows.items()))


@accounts_app.command("list")
def accounts_list(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """List the accounts of a workspace."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    records = [
        {
            "id": x.id,
            "network": x.network.value,
            "handle": x.handle,
            "name": x.name,
            "function": x.function.value,
            "brand": x.brand_name,
            "competitor": not x.is_own,
        }
        for x in a.workspaces.accounts(ws)
    ]
    emit(f, ["id", "network", "handle", "name", "function", "brand", "competitor"], records)


@accounts_app.command("add")
def accounts_add(
    network: str,
    handle: str,
    workspace: WorkspaceOpt = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    url: Annotated[str, typer.Option(help="Profile URL.")] = "",
    function: Annotated[str, typer.Option(help="Owning function.")] = "marketing",
    brand: Annotated[str | None, typer.Option(help="Brand the account belongs to.")] = None,
    competitor: Annotated[bool, typer.Option(help="The brand is a competitor.")] = False,
) -> None:
    """Add an account (imports also add accounts as they find them)."""
    a, ws = open_workspace(workspace)
    acc = a.workspaces.add_account(
        acting(),
        ws,
        parse_enum(Network, network, "network"),
        handle,
        name=name,
        url=url,
        function=parse_enum(Function, function, "function"),
        brand=brand,
        competitor=competitor,
    )
    typer.echo(f"account {acc.label} (id {acc.id}) in workspace {ws.slug!r}")


@accounts_app.command("update")
def accounts_update(
    account: Annotated[str, typer.Argument(help="Id, handle, or NETWORK:HANDLE.")],
    workspace: WorkspaceOpt = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    url: Annotated[str | None, typer.Option(help="Profile URL (http or https).")] = None,
    function: Annotated[str | None, typer.Option(
        help="Owning function: marketing, pr_comms, customer_service, hr, sales, product, "
             "executive, other.")] = None,
    brand: Annotated[str | None, typer.Option(help="Move it to this brand.")] = None,
    competitor: Annotated[bool | None, typer.Option(
        "--competitor/--own", help="The account's brand is a competitor / our own "
                                   "(applies to every account of the brand).")] = None,
) -> None:
    """Correct an account: its owning function, brand, competitor flag, name or URL."""
    a, ws = open_workspace(workspace)
    acc = a.workspaces.update_account(acting(), ws, account, name=name, url=url, function=function,
                                      brand=brand, competitor=competitor)
    typer.echo(f"account {acc.label} (id {acc.id}): {acc.function.value}, brand "
               f"{acc.brand_name or '-'} ({'own' if acc.is_own else 'competitor'})")
