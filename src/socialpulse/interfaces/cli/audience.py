"""`socialpulse audience [ACCOUNT]`: who follows, visits or watches each account."""

from __future__ import annotations

from typing import Annotated

import typer

from socialpulse.domain.formatting import format_value
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    WorkspaceOpt,
    check_format,
    emit,
    open_workspace,
    print_table,
)
from socialpulse.interfaces.cli.root import app


@app.command("audience")
def audience_command(
    account: Annotated[str | None, typer.Argument(
        help="One account (id, handle or NETWORK:HANDLE); default: every account.",
        show_default=False)] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Audience breakdowns per account (followers by gender and territory, visitors by
    location, job function, seniority, industry, company size): the latest of each."""
    from socialpulse.services.audience import COLUMNS, records  # on use: --help imports all

    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    found = a.audience.audience(ws, account)
    if f != "table":
        emit(f, COLUMNS, records(found))
        return
    if not found:
        typer.echo("no audience data yet: import TikTok FollowerGender/FollowerTopTerritories "
                   "exports, LinkedIn demographics or YouTube Table data by geography or age")
        return
    for acc in found:
        typer.echo(acc.label)
        for b in acc.breakdowns:
            typer.echo(f"  {b.dimension}, as of {b.day} (share: {b.share_basis})")
            print_table(["value", "count", "share"], [
                [s.value, format_value(s.count, "count") if s.count is not None else "-",
                 format_value(100 * s.share, "percent") if s.share is not None else "-"]
                for s in b.slices])
        typer.echo("")

