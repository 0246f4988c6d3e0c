"""``socialpulse lake``: the workspace's import batches, removing a bad import, compaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialpulse.domain.formatting import format_value, one_line
from socialpulse.interfaces.cli.common import (
    FormatOpt,
    WorkspaceOpt,
    acting,
    check_format,
    echo_json,
    emit,
    id_argument,
    open_workspace,
)
from socialpulse.interfaces.cli.root import app

if TYPE_CHECKING:  # --help imports every command module: annotations only
    from socialpulse.services.batches import BatchRecord

lake_app = typer.Typer(help="The Parquet lake: import batches, removing one, compaction.",
                       no_args_is_help=True)
app.add_typer(lake_app, name="lake")

COLUMNS = ["batch", "imported_at", "source", "format", "rows", "state"]
SOURCE_WIDTH = 48


def _rows_text(rows: dict[str, int]) -> str:
    return ", ".join(f"{format_value(n, 'count')} {k.replace('_', ' ')}"
                     for k, n in rows.items()) or "-"


def _record(b: BatchRecord, fmt: str) -> dict[str, Any]:
    """A JSON record keeps the rows per dataset; a table or CSV cell says them in words, and
    a table shortens a long list of source files to one readable line."""
    d = b.as_dict()
    if fmt == "json":
        return {"batch": d.pop("id"), **d}
    return {"batch": b.id, "imported_at": b.imported_at.strftime("%Y-%m-%d %H:%M UTC"),
            "source": one_line(b.source, SOURCE_WIDTH) if fmt == "table" else b.source,
            "format": b.format, "rows": _rows_text(b.rows), "state": b.state_text}


@lake_app.command("batches")
def lake_batches(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """The workspace's imports, newest first: batch number, when, the files as you named them,
    format, rows per dataset and state (active, merged into a compaction, removed)."""
    f = check_format(fmt)
    a, ws = open_workspace(workspace)
    emit(f, COLUMNS, [_record(b, f) for b in a.batches.history(ws)])


@lake_app.command("status", hidden=True)
def lake_status(workspace: WorkspaceOpt = None, fmt: FormatOpt = "table") -> None:
    """The former name of ``lake batches``."""
    lake_batches(workspace, fmt)


@lake_app.command("remove")
def lake_remove(
    batch: Annotated[int, id_argument("The batch number (lake batches lists them).")],
    workspace: WorkspaceOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Undo one import: its rows stop counting at once (one ledger transaction), its files are
    deleted afterwards, and the same file can be imported again. Running it twice is safe."""
    a, ws = open_workspace(workspace)
    result = a.batches.remove(acting(), ws, batch)
    if as_json:
        echo_json(result.as_dict())
    else:
        typer.echo(result.message)


@lake_app.command("compact")
def lake_compact(workspace: WorkspaceOpt = None) -> None:
    """Merge a workspace's batches into one file per dataset and month."""
    a, ws = open_workspace(workspace)
    rows = a.batches.compact(acting(), ws)
    if not rows:
        typer.echo("nothing to compact")
    else:
        typer.echo("compacted: " + ", ".join(f"{v:,} {k}" for k, v in rows.items()))
