"""`socialpulse compare`: the own brand beside each competitor brand on the same metrics."""

from __future__ import annotations

from typing import Annotated

import typer

from socialpulse.interfaces.cli.common import (
    FormatOpt,
    WorkspaceOpt,
    check_format,
    echo_json,
    emit,
    open_workspace,
    print_table,
)
from socialpulse.interfaces.cli.root import app
from socialpulse.interfaces.cli.scope import scope_line


@app.command("compare")
def compare_command(
    period: Annotated[str | None, typer.Option(
        help="last30, last90 (default), last-month, last-quarter, 2026-Q3, 2026-09 or A..B.")]
    = None,
    metrics: Annotated[str | None, typer.Option(
        help="Comma-separated metrics (METRIC:VARIANT for a variant); default: followers, "
             "growth, posts, engagements per post, engagement rate by followers, shares per "
             "post, engagement rate.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Compare every brand (own and competitors) on the same metrics, per follower or per post
    where sizes differ; says which inputs a competitor's data lacks (``--format json`` also
    says why each variant was chosen)."""
    from socialpulse.services.compare import parse_compare_metrics  # on use, not on --help

    f = check_format(fmt)
    chosen = parse_compare_metrics(metrics)
    a, ws = open_workspace(workspace)
    rng = a.overview.resolve_period(ws, period).range
    result = a.compare.compare(ws, rng, chosen)
    if f == "json":
        echo_json(result.as_dict())
        return
    if f == "csv":  # one row per brand; the period and scope as columns, like metrics compute
        emit(f, *result.csv())
        return
    # as text, brands side by side: one row per metric
    rows = result.formatted()
    heads = [f"{r['brand']}{' (own)' if r['own'] == 'own' else ''}" for r in rows]
    print_table(["metric", *heads],
                [[m["name"], *(r[m["key"]] for r in rows)] for m in result.metrics])
    typer.echo(f"period: {rng.label()}")
    typer.echo(scope_line(result.scope))
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
