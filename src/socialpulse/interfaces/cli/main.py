"""The `socialpulse` command line.

Errors users can fix print one line (``socialpulse: error: ...``) and exit with code 2; no
traceback unless SOCIALPULSE_DEBUG=1.
"""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from socialpulse.bootstrap import open_home
from socialpulse.domain.errors import InvalidInput, SocialPulseError
from socialpulse.domain.formatting import format_value, one_line
from socialpulse.domain.models import Function, Network, parse_enum
from socialpulse.domain.periods import DateRange, parse_date, resolve_period
from socialpulse.domain.query import parse_breakdown
from socialpulse.interfaces.cli_audience import audience_command
from socialpulse.interfaces.cli_common import (
    STATE,
    FormatOpt,
    TextJsonFormatOpt,
    WorkspaceOpt,
    check_format,
    echo_json,
    emit,
    emit_document,
    open_app,
    open_workspace,
    print_table,
    settings,
)
from socialpulse.interfaces.cli_compare import compare_command
from socialpulse.interfaces.cli_goals import goals_app, okrs_app
from socialpulse.interfaces.cli_import import import_command
from socialpulse.interfaces.cli_lake import lake_app
from socialpulse.interfaces.cli_listen import listen_app
from socialpulse.interfaces.cli_maturity import maturity_app
from socialpulse.interfaces.cli_report import report_app
from socialpulse.interfaces.cli_scope import (
    AllOpt,
    BrandOpt,
    CompetitorsOpt,
    scope_line,
    scope_option,
)
from socialpulse.settings import DEFAULT_HOST, DEFAULT_PORT, Settings

app = typer.Typer(
    name="socialpulse",
    help="Prove and grow the value of your social media.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
metrics_app = typer.Typer(
    help="The metric catalogue: list, explain, compute.", no_args_is_help=True
)
workspaces_app = typer.Typer(help="Workspaces (a brand or a client).", no_args_is_help=True)
accounts_app = typer.Typer(help="Social accounts of a workspace.", no_args_is_help=True)
app.add_typer(metrics_app, name="metrics")
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(accounts_app, name="accounts")
app.add_typer(lake_app, name="lake")
app.command("import")(import_command)
app.command("audience")(audience_command)
app.command("compare")(compare_command)
app.add_typer(goals_app, name="goals")
app.add_typer(okrs_app, name="okrs")
app.add_typer(maturity_app)
app.add_typer(listen_app, name="listen")
app.add_typer(report_app, name="report")

HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Data home folder (default: $SOCIALPULSE_HOME or ~/.local/share/socialpulse).",
        show_default=False,
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="App database URL (default: SQLite in the home; or $SOCIALPULSE_DATABASE_URL).",
        show_default=False,
    ),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Query engine: duckdb (default) or spark (or $SOCIALPULSE_QUERY_ENGINE).",
        show_default=False,
    ),
]


@app.callback()
def _main(home: HomeOpt = None, database_url: DbOpt = None, engine: EngineOpt = None) -> None:
    STATE.home = home
    STATE.database_url = database_url
    STATE.engine = engine


# --- home, demo, serve --------------------------------------------------------------------


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
    from socialpulse.services.demo import load_demo

    summary = load_demo(a, last)
    typer.echo(f"{summary.line} in {a.settings.home}")
    if serve_after:
        _serve(a.settings, host, port)


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
) -> None:
    """Serve the dashboard and the JSON API of an existing data home."""
    a = open_app()
    _serve(a.settings.with_hosts(*(allowed_host or [])), host, port)


#: Seconds a stopping server (SIGTERM, Ctrl+C) gives running requests before it cancels them:
#: without a bound, one slow request (or a client that never sends its body) kept it running.
SHUTDOWN_GRACE_S = 5


def _serve(s: Settings, host: str, port: int) -> None:
    import uvicorn

    from socialpulse.interfaces.web.app import create_app

    typer.echo(f"socialpulse dashboard on http://{host}:{port}/  (Ctrl+C to stop)")
    # the address served on is a name browsers use (a wildcard such as 0.0.0.0 is not)
    uvicorn.run(create_app(s.with_hosts(host)), host=host, port=port, log_level="warning",
                timeout_graceful_shutdown=SHUTDOWN_GRACE_S)
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


# --- workspaces and accounts --------------------------------------------------------------


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
            "accounts": len(a.store.accounts(w.id)),
        }
        for w in a.store.workspaces()
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
        slug, name or slug, timezone, languages.split(",")
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
        a.store.workspace(slug), name, timezone,
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
        for x in a.store.accounts(ws.id)
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
    acc = a.workspaces.update_account(ws, account, name=name, url=url, function=function,
                                      brand=brand, competitor=competitor)
    typer.echo(f"account {acc.label} (id {acc.id}): {acc.function.value}, brand "
               f"{acc.brand_name or '-'} ({'own' if acc.is_own else 'competitor'})")


# --- metrics ------------------------------------------------------------------------------


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
        ws = a.workspace(workspace) if (workspace or a.store.workspaces()) else None
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
    rng = _range(from_, to, period)
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
    rng = _range(from_, to, period)
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


def _range(from_: str | None, to: str | None, period: str | None) -> DateRange | None:
    return resolve_period(from_, to, period, ("--from", "--to", "--period"), date.today())


def main(argv: list[str] | None = None) -> int:
    """Entry point: one-line errors and exit code 2 for anything the user can fix."""
    try:
        # without standalone mode, a command's `typer.Exit(n)` comes back as the return value
        # (not raised): a run-due whose delivery failed exited 0 while it said it failed
        code = app(args=argv, standalone_mode=False)
    except SocialPulseError as exc:
        typer.echo(f"socialpulse: error: {exc.message}", err=True)
        return 2
    except (click.exceptions.Abort, typer.Abort):
        typer.echo("socialpulse: aborted", err=True)
        return 130
    except (click.exceptions.Exit, typer.Exit) as exc:
        return int(exc.exit_code or 0)
    except (click.ClickException, typer.TyperException) as exc:
        # Typer raises its own copy of click's usage errors (unknown option, bad value)
        text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        typer.echo(f"socialpulse: error: {text}", err=True)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: one line, never a traceback
        if os.environ.get("SOCIALPULSE_DEBUG"):
            raise
        typer.echo(
            f"socialpulse: internal error: {type(exc).__name__}: {exc} "
            "(set SOCIALPULSE_DEBUG=1 for details)",
            err=True,
        )
        return 1
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


def entrypoint() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entrypoint()
