"""What every `socialpulse` command module shares: the global options' state, opening the data
home and workspace, the common options, the ``--format`` check, and printing rows as a table,
CSV or JSON.

It lives apart from `main` so that the command modules (goals, listen, ...) can import it at
the top, typed, without importing the module that imports them all (a circular import), and so
that ``--home``/``--database-url``/``--engine`` live in one place that every command reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from socialpulse.bootstrap import App, local_actor, open_home
from socialpulse.domain.actor import Actor
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import MAX_ID, Workspace
from socialpulse.domain.periods import DateRange, resolve_period
from socialpulse.services.export import to_csv
from socialpulse.settings import Settings

T = TypeVar("T")

WorkspaceOpt = Annotated[
    str | None, typer.Option("--workspace", "-w", help="Workspace slug (default: the first).")
]
#: ``--format`` of the commands that print rows (see `emit`).
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
#: ``--format`` of the commands whose table is not a plain list of records (see `emit_document`).
def id_argument(help_text: str) -> Any:
    """A row id argument (goal, objective, schedule, batch): 0 to `MAX_ID`, so a 20-digit id
    is a one-line usage error (exit 2) instead of an overflow inside the store (exit 1)."""
    return typer.Argument(help=help_text, min=0, max=MAX_ID)


TableJsonFormatOpt = Annotated[str, typer.Option("--format", "-f", help="table or json.")]
#: ``--format`` of the commands that print one document as prose (see `emit_document`).
TextJsonFormatOpt = Annotated[str, typer.Option("--format", "-f", help="text or json.")]


class _State:
    """The root command's options; the root callback fills it before any subcommand runs."""

    home: Path | None = None
    database_url: str | None = None
    engine: str | None = None


STATE = _State()


def settings() -> Settings:
    """Settings from the root options, falling back to the environment."""
    return Settings.from_env(STATE.home, STATE.database_url, STATE.engine)


def open_app(create: bool = False) -> App:
    """Open the data home named by the root options (``create``: make it if missing)."""
    return open_home(settings(), create=create)


def acting() -> Actor:
    """Who a command acts as, passed to every service write: the one place the CLI resolves
    it (today the local user; a signed-in user or token once issue 14 lands)."""
    return local_actor()


def open_workspace(workspace: str | None) -> tuple[App, Workspace]:
    """Open the data home and resolve ``--workspace`` (default: the first), as nearly every
    command does first; errors (no home, unknown workspace) surface as one-line errors."""
    a = open_app()
    return a, a.workspace(workspace)


def period_range(from_: str | None, to: str | None, period: str | None) -> DateRange | None:
    """The days ``--from``/``--to``/``--period`` ask for (None: all), relative to today; one
    reading so that `metrics compute` and `posts` name the same options in their errors."""
    return resolve_period(from_, to, period, ("--from", "--to", "--period"), date.today())


def check_format(
    fmt: str, allowed: tuple[str, ...] = ("table", "csv", "json"), use: str | None = None
) -> str:
    """``--format`` normalised (case, spaces), or an `InvalidInput` naming the choices.

    ``use`` words the hint where a command has always said it differently ("text or json")
    than the default "one of a, b, c", so that its error line stays the same.
    """
    f = fmt.strip().lower()
    if f not in allowed:
        hint = use if use is not None else f"one of {', '.join(allowed)}"
        raise InvalidInput(f"--format: unknown format {fmt!r}; use {hint}")
    return f


def print_table(columns: list[str], rows: list[list[str]]) -> None:
    """Left-aligned columns two spaces apart under a dashed rule; trailing blanks trimmed."""
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    typer.echo("  ".join("-" * w for w in widths))
    for r in rows:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def echo_json(data: Any) -> None:
    """JSON as the API writes it: indented, UTF-8 kept, dates and other objects as text."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def emit(fmt: str, columns: list[str], records: list[dict[str, Any]]) -> None:
    """Rows in the checked ``--format``: JSON (the records whole), CSV (``columns`` only, cells
    starting with = + - @ neutralised by `to_csv`) or a table of ``columns`` as text.

    The one place rows leave the CLI, so every command's CSV is equally safe to open in a
    spreadsheet and every table looks the same.
    """
    if fmt == "json":
        echo_json(records)
    elif fmt == "csv":
        typer.echo(to_csv(columns, records), nl=False)
    else:
        print_table(columns, [[str(r.get(c, "")) for c in columns] for r in records])


def emit_document(fmt: str, data: T, print_text: Callable[[T], None]) -> None:
    """``--format json`` prints ``data`` as the JSON API returns it; any other (checked) format
    hands it to the command's own printer, for output that is not a plain list of rows."""
    if fmt == "json":
        echo_json(data)
    else:
        print_text(data)
