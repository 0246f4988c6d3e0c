"""`socialpulse metrics list|explain|compute`: the metric catalogue from the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from socialpulse.bootstrap import open_home
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.formatting import format_value
from socialpulse.domain.models import Network, parse_enum
from socialpulse.domain.query import parse_breakdown
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    TextJsonFormatOpt,
    WorkspaceOpt,
    check_format,
    echo_json,
    emit,
    emit_document,
    open_app,
    open_workspace,
    period_range,
    print_table,
    settings,
)
from socialpulse.interfaces.cli.root import app
from socialpulse.interfaces.cli.scope import (
    AllOpt,
    BrandOpt,
    CompetitorsOpt,
    scope_line,
    scope_option,
)
from socialpulse.settings import Settings

metrics_app = typer.Typer(
    help="The metric catalogue: list, explain, compute.", no_args_is_help=True
)
app.add_typer(metrics_app, name="metrics")


@metrics_app.command("list")
def metrics_list(fmt: FormatOpt = "table") -> None:
    """List every metric with its formula and unit."""
    f = check_format(fmt)
    a = open_app_or_catalogue()
    records = [
        {
            "id": m["id"],
            "name": m["name"],
            "unit": m["unit"],
            "formula": m["formula"],
            "variants": ",".join(m["variants"]),
            "goal_types": ",".join(m["goal_types"]),
        }
        for m in a
    ]
    if f == "json":
        echo_json(a)
        return
    emit(f, ["id", "name", "unit", "formula", "variants", "goal_types"], records)


def open_app_or_catalogue() -> list[dict[str, Any]]:
    """`metrics list` works without a data home: the catalogue is package data."""
    from socialpulse.catalogue import metric_catalogue
    from socialpulse.services.metrics import metric_summary

    c = metric_catalogue()
    return [metric_summary(c, m) for m in c.metrics.values()]


@metrics_app.command("explain")
def metrics_explain(
    metric: str,
    variant: Annotated[str | None, typer.Option("--variant", "-v", help="Named variant.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: TextJsonFormatOpt = "text",
) -> None:
    """Show how a metric is computed: formula, inputs, and the SQL it runs."""
    f = check_format(fmt, ("text", "json"))
    s = settings()
    if s.marker.exists():
        a = open_app()
        ws = a.workspace(workspace) if (workspace or a.workspaces.list()) else None
    else:  # no home yet: explain against an empty in-memory home
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix="socialpulse-explain-"))
        a = open_home(Settings(home=tmp), create=True)
        ws = None
    engine = a.settings.query_engine
    emit_document(f, a.metrics.explain(metric, variant, ws).as_dict(),
                  lambda ex: _print_explanation(ex, engine))


def _print_explanation(ex: dict[str, Any], engine: str) -> None:
    """`metrics explain` as text: what the JSON says, and the SQL the ``engine`` runs."""
    typer.echo(f"{ex['name']} ({ex['id']}, variant {ex['variant']})")
    typer.echo(f"  {ex['description']}")
    typer.echo(f"\nformula:  {ex['id']} = {ex['formula']}")
    typer.echo(f"unit:     {ex['unit']} ({ex['direction']} is better)")
    typer.echo("inputs:")
    for i in ex["inputs"]:
        typer.echo(
            f"  {i['id']:<22} {i['aggregation']:<5} of {i['dataset']}"
            f"{'.' + i['column'] if i['column'] else ''}: {i['description']}"
        )
    typer.echo(f"networks: {', '.join(ex['networks']) or 'none of the supported exports'}")
    others = [k for k in ex["variants"] if k != ex["variant"]]
    if others:
        typer.echo(f"variants: {', '.join(others)} (use --variant)")
    if ex["goal_types"]:
        typer.echo(f"goals:    {', '.join(ex['goal_types'])}")
    for n in ex["notes"]:
        typer.echo(f"note:     {n}")
    typer.echo(f"\nSQL ({'Spark SQL' if engine == 'spark' else 'DuckDB'}):")
    typer.echo(ex["sql"])


@metrics_app.command("compute")
def metrics_compute(
    metrics: Annotated[list[str], typer.Argument(help="Metric ids; METRIC:VARIANT for a variant.")],
    variant: Annotated[
        str | None, typer.Option("--variant", "-v", help="Variant for every metric named.")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="brand,account,network,day|week|month|quarter")
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, inclusive.")] = None,
    period: Annotated[str | None, typer.Option(help="2026-Q3, 2026-09, 2026-W37 or A..B.")] = None,
    network: Annotated[list[str] | None, typer.Option(help="Only these networks.")] = None,
    brand: BrandOpt = None,
    competitors: CompetitorsOpt = False,
    all_: AllOpt = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Compute metrics for the own brands (or --brand, --competitors, --all), broken down by
    brand, account, network and/or time."""
    f = check_format(fmt)
    requests: list[tuple[str, str | None]] = []
    for m in metrics:
        mid, _, v = m.partition(":")
        requests.append((mid.strip(), v.strip() or variant))
    breakdown = parse_breakdown(by)
    rng = period_range(from_, to, period)
    nets = [parse_enum(Network, n, "--network").value for n in network or []]
    scope = scope_option(brand, competitors, all_)
    a, ws = open_workspace(workspace)
    table = a.metrics.compute(ws, requests, breakdown, rng, nets, scope=scope)
    if not table.rows:
        raise InvalidInput(
            f"no data for workspace {ws.slug!r} in "
            f"{rng.label() if rng else 'any period'}; check --from/--to"
        )
    columns = [*table.dimensions, *table.metrics]
    if f == "table":  # values formatted in their unit (12.3%, 4.5K), blank dimensions empty
        rows = [
            [str(r.get(d) or "") for d in table.dimensions]
            + [format_value(r.get(m), table.units[m]) for m in table.metrics]
            for r in table.records()
        ]
        print_table(columns, rows)
        typer.echo(scope_line(table.scope))
    elif f == "csv":  # every row says its scope: a plain column, no comment lines
        emit(f, [*columns, "scope"], table.records(with_scope=True))
    else:  # the API's document: rows, units, notes, period and scope
        echo_json(table.as_dict(rng))
    for note in table.notes:
        typer.echo(f"note: {note}", err=True)
