"""``socialpulse audit-log``: the activity log, who changed what and when.

    socialpulse audit-log                          # the newest 200 changes, every workspace
    socialpulse audit-log -w demo --since 2026-11-01
    socialpulse audit-log --json                   # the entries as the API returns them

Every change of goals, accounts, settings, members, tokens, connections... is recorded by the
store in the change's own transaction (see `domain.change_log`); secrets show as "(hidden)".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from socialpulse.domain.periods import parse_date
from socialpulse.interfaces.cli.common import acting, echo_json, open_app, print_table
from socialpulse.interfaces.cli.root import app

#: The change column of the table is cut here (``--json`` has every field whole).
SUMMARY_WIDTH = 100


@app.command("audit-log")
def audit_log(
    workspace: Annotated[str | None, typer.Option(
        "--workspace", "-w", help="Only the changes of this workspace (default: all, "
        "with users and tokens).")] = None,
    since: Annotated[str | None, typer.Option(
        help="Only changes from this day on (YYYY-MM-DD, UTC).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000,
                                       help="At most this many, the newest.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who changed what and when (the activity log), newest first."""
    a = open_app()
    slug = a.workspace(workspace).slug if workspace else None
    day = parse_date(since, "--since", date.today()) if since else None
    entries = a.change_log.entries(acting(), slug, day, limit)
    if as_json:
        echo_json([e.as_json() for e in entries])
        return
    if not entries:
        typer.echo("no changes recorded" + (f" in {slug}" if slug else "")
                   + (f" since {day}" if day else ""))
        return
    print_table(["when (UTC)", "who", "workspace", "change"],
                [[e.at.strftime("%Y-%m-%d %H:%M"), e.actor_name, e.workspace or "",
                  e.summary(SUMMARY_WIDTH)] for e in entries])
