"""`socialpulse posts`: a workspace's posts with their counters, best first."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from socialpulse.domain.formatting import format_value, one_line
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    WorkspaceOpt,
    check_format,
    echo_json,
    emit,
    open_workspace,
    period_range,
    print_table,
)
from socialpulse.interfaces.cli.root import app
from socialpulse.interfaces.cli.scope import (
    AllOpt,
    BrandOpt,
    CompetitorsOpt,
    scope_line,
    scope_option,
)


@app.command("posts")
def posts_list(
    sort: Annotated[str, typer.Option(
        help="Highest first: engagements, impressions, reach, likes, comments, shares, clicks, "
             "video_views, saves, engagement_rate; or published_at (newest first).")]
    = "engagements",
    from_: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, inclusive.")] = None,
    period: Annotated[str | None, typer.Option(help="2026-Q3, 2026-09, 2026-W37 or A..B.")] = None,
    account: Annotated[list[str] | None, typer.Option(
        help="Only these accounts (id, handle or NETWORK:HANDLE; repeat).")] = None,
    network: Annotated[list[str] | None, typer.Option(help="Only these networks.")] = None,
    brand: BrandOpt = None,
    competitors: CompetitorsOpt = False,
    all_: AllOpt = False,
    search: Annotated[str | None, typer.Option(help="Only posts whose text contains this.")]
    = None,
    limit: Annotated[int, typer.Option(help="How many posts (1-500).")] = 20,
    offset: Annotated[int, typer.Option(help="Skip this many (for the next page).")] = 0,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """The posts of a workspace with their counters, best first: what works."""
    from socialpulse.services.posts import COLUMNS

    f = check_format(fmt)
    rng = period_range(from_, to, period)
    scope = scope_option(brand, competitors, all_)
    a, ws = open_workspace(workspace)
    page = a.posts.list(ws, rng, account or [], network or [], scope, sort, limit,
                        offset, search)
    if f == "json":
        echo_json(page.as_dict())
        return
    if f == "csv":
        emit(f, [*COLUMNS, "scope"], page.records(with_scope=True))
        return
    shown = ["local_date", "network", "account", "text", "impressions", "engagements",
             "engagement_rate", sort]
    cols = list(dict.fromkeys(c for c in shown if c != "published_at"))
    print_table(cols, [[_post_cell(c, r.get(c)) for c in cols] for r in page.records()])
    typer.echo(scope_line(page.scope))
    last = page.offset + len(page.rows)
    typer.echo(f"posts {page.offset + 1 if page.rows else 0}-{last} of {page.total:,} "
               f"by {sort}" + (f"; next: --offset {last}" if last < page.total else ""), err=True)


def _post_cell(column: str, v: Any) -> str:
    if v is None:
        return "-"
    if column == "text":
        return one_line(str(v), 48)
    if column == "engagement_rate":
        return format_value(v, "percent")
    if isinstance(v, int):
        return format_value(v, "count")
    return str(v)
