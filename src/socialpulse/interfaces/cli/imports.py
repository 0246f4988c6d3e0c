"""`socialpulse import PATH...`: bring platform exports into a workspace.

Shows what was detected and a preview of the first rows as they will be stored, a progress
bar on stderr, then the counts: rows imported, rows skipped with their reasons, warnings. Bad
files stop the whole import with one line naming file, row and column (exit 2): nothing is
written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import parse_date
from socialpulse.domain.platforms import FORMAT_IDS
from socialpulse.interfaces.cli.common import acting, echo_json, open_app, print_table
from socialpulse.interfaces.cli.root import app

if TYPE_CHECKING:  # --help imports every command module: annotations only
    from socialpulse.bootstrap import App
    from socialpulse.domain.models import Workspace
    from socialpulse.services.imports import (
        ImportOptions,
        ImportPlan,
        ImportResult,
        ImportService,
    )


def _files(paths: list[Path]) -> list[tuple[Path, str]]:
    """Files named, and the files inside named folders (a YouTube export is a folder)."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            inner = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
            if not inner:
                raise InvalidInput(f"{p}: folder has no files")
            out.extend((f, f.name) for f in inner)
        elif p.is_file():
            out.append((p, p.name))
        else:
            raise InvalidInput(f"{p}: no such file")
    return out


def _write_templates(goal_type: str, folder: Path) -> None:
    """``--template``: the goal type's empty CSVs and mappings, and how to import them."""
    from socialpulse.catalogue import metric_catalogue
    from socialpulse.services.import_templates import templates, write_templates

    found, notes = templates(metric_catalogue(), goal_type)
    for path in write_templates(found, folder):
        typer.echo(f"wrote {path}")
    for t in found:
        typer.echo(f"fill {t.name} ({', '.join(t.header)}), then: socialpulse import "
                   f"{folder / t.name} --mapping {folder / t.name[:-4]}.yaml")
    for note in notes:
        typer.echo(f"note: {note}")


def _observed(value: str | None) -> datetime | date | None:
    """A day (its end, in the workspace's time zone) or an ISO time (UTC if no offset)."""
    if not value:
        return None
    if len(value.strip()) == 10:
        return parse_date(value.strip(), "--observed-at")
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"--observed-at: {value!r} is not a date (YYYY-MM-DD) or an ISO "
                           "time") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@app.command("import")
def import_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Export files or folders.",
                                                       show_default=False)] = None,
    workspace: Annotated[str | None, typer.Option("--workspace", "-w",
                                                  help="Workspace slug (default: the first; "
                                                  "created if the home has none).")] = None,
    account: Annotated[str | None, typer.Option(help="Account handle for every file "
                                                "(default: from the files).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="auto or one of: " + ", ".join(FORMAT_IDS))] = "auto",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse and preview; write "
                                          "nothing.")] = False,
    year: Annotated[int | None, typer.Option(help="Year of the last row, for exports whose "
                                             "dates have no year (TikTok).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of CSV files that are not "
                                                 "UTF-8/UTF-16 (e.g. cp1252).")] = None,
    source_tz: Annotated[str | None, typer.Option("--source-tz", help="Time zone of times "
                                                  "written without one (Facebook, Meta).")]
    = None,
    mapping: Annotated[Path | None, typer.Option(help="Mapping file (YAML) for the generic "
                                                 "CSV/XLSX format.")] = None,
    observed_at: Annotated[str | None, typer.Option("--observed-at", help="When the counts "
                                                    "were exported (default: from the file, "
                                                    "else now).")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of a workspace created by this "
                                          "import.")] = "UTC",
    max_file_mb: Annotated[float, typer.Option(help="Largest file accepted, in MB.")] = 200,
    max_cell_kb: Annotated[float, typer.Option(help="Largest cell accepted, in KB.")] = 1024,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No preview, no progress.")]
    = False,
    template: Annotated[str | None, typer.Option(
        help="Write empty CSV files (and their mappings) for a goal type's data instead of "
             "importing, e.g. conversions.")] = None,
    out: Annotated[Path, typer.Option(help="Folder for --template files.")] = Path("."),
) -> None:
    """Import platform exports (X, Facebook, Instagram, LinkedIn, YouTube, TikTok, Mastodon,
    Bluesky, or any CSV/XLSX with --mapping): detect, preview, then write one atomic batch."""
    if template is not None:
        _write_templates(template, out)
        return
    files = _files(_checked_paths(paths, fmt, max_file_mb, max_cell_kb))
    options = _import_options(fmt, account, year, encoding, source_tz, mapping, observed_at,
                              max_file_mb, max_cell_kb)
    a = open_app(create=True)
    ws = _target_workspace(a, workspace, timezone)
    _run_import(a.imports, ws, files, options, dry_run=dry_run, as_json=as_json, quiet=quiet)


def _checked_paths(paths: list[Path] | None, fmt: str, max_file_mb: float,
                   max_cell_kb: float) -> list[Path]:
    """The paths to import, once the options that need no file are known to be valid."""
    if not paths:
        raise InvalidInput("name the export files or folders to import (or --template TYPE "
                           "for empty files to fill)")
    if fmt != "auto" and fmt not in FORMAT_IDS:
        raise InvalidInput(f"--format: unknown format {fmt!r}; use auto or one of "
                           f"{', '.join(FORMAT_IDS)}")
    if max_file_mb <= 0 or max_cell_kb <= 0:
        raise InvalidInput("--max-file-mb and --max-cell-kb must be positive")
    return paths


def _import_options(fmt: str, account: str | None, year: int | None, encoding: str | None,
                    source_tz: str | None, mapping: Path | None, observed_at: str | None,
                    max_file_mb: float, max_cell_kb: float) -> ImportOptions:
    from socialpulse.services.import_model import Limits  # on use: --help imports every module
    from socialpulse.services.imports import ImportOptions

    return ImportOptions(
        fmt=fmt, account=account, year=year, encoding=encoding, source_tz=source_tz,
        mapping=mapping, observed_at=_observed(observed_at),
        limits=Limits(max_file_bytes=int(max_file_mb * 2**20),
                      max_cell_bytes=int(max_cell_kb * 1024)),
    )


def _target_workspace(a: App, workspace: str | None, timezone: str) -> Workspace:
    """The workspace to import into; an empty home gets one (``workspace`` or "default")."""
    if not a.workspaces.list():
        from socialpulse.services.workspaces import check_timezone

        slug = workspace or "default"
        a.workspaces.create(acting(), slug, slug, check_timezone(timezone))
        typer.echo(f"created workspace {slug!r} (time zone {timezone})", err=True)
    return a.workspace(workspace)


def _run_import(svc: ImportService, ws: Workspace, files: list[tuple[Path, str]],
                options: ImportOptions, *, dry_run: bool, as_json: bool, quiet: bool) -> None:
    """Plan (and preview), then commit unless ``dry_run``; print the report."""
    show = not quiet and not as_json
    with _Progress(enabled=show) as bar:
        plan = svc.plan(ws, files, options, bar.update)
        if show:
            _print_plan(plan)
        result: ImportResult | None = None
        if not dry_run:
            result = svc.commit(acting(), plan, ", ".join(n for _, n in files)[:500],
                                bar.update)
    if as_json:
        echo_json(result.as_dict() if result else plan.as_dict())
        return
    _print_result(plan, result)


class _Progress:
    """A rich progress bar on stderr (stdout stays clean for --json and pipes)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._p: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._p = Progress(TextColumn("{task.description}"), BarColumn(),
                               TextColumn("{task.completed:,}/{task.total:,}"),
                               TimeElapsedColumn(), console=Console(stderr=True),
                               transient=True)
            self._p.__enter__()
            self._task = self._p.add_task("reading", total=1)
        return self

    def update(self, stage: str, done: int, total: int) -> None:
        if self._p is not None:
            self._p.update(self._task, description=stage, completed=done, total=max(total, 1))

    def __exit__(self, *exc: object) -> None:
        if self._p is not None:
            self._p.__exit__(*exc)


def _print_plan(plan: ImportPlan) -> None:
    for f in plan.files:
        period = (f" {f.first_day} .. {f.last_day}" if f.first_day and f.last_day else "")
        typer.echo(f"{f.name}: {f.format} -> {f.account} (account from {f.handle_origin});"
                   f"{period} {f.rows_read:,} rows")
    if plan.preview:
        typer.echo("\npreview (first rows as they will be stored):")
        cols: list[str] = []
        for r in plan.preview:
            cols.extend(k for k in r if k not in cols and k != "file")
        print_table(cols, [[_cell(r.get(c)) for c in cols] for r in plan.preview])
        typer.echo("")


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    s = str(v).replace("\n", " ")
    return s[:40] + ("…" if len(s) > 40 else "")


def _print_result(plan: ImportPlan, result: ImportResult | None) -> None:
    for f in plan.files:
        obs = f.observed_at.isoformat(timespec="seconds") if f.observed_at else "-"
        typer.echo(f"{f.name}: {f.rows_used:,} of {f.rows_read:,} rows used; counts observed at "
                   f"{obs} ({f.observed_origin})")
        for reason, n in f.skipped.items():
            typer.echo(f"  skipped {n:,}: {reason}")
        for w in f.warnings:
            typer.echo(f"  warning: {w}")
        for note in f.notes:
            typer.echo(f"  note: {note}")
    rows = ", ".join(f"{v:,} {k}" for k, v in plan.rows.items())
    if result is None:
        typer.echo(f"dry run: would import {rows} into workspace {plan.workspace.slug!r}; "
                   "nothing written")
        return
    if result.already_imported:
        typer.echo(f"already imported (batch {result.batch_id}): nothing new to write")
        return
    if result.accounts_created:
        typer.echo("new accounts: " + ", ".join(result.accounts_created))
    done = ", ".join(f"{v:,} {k}" for k, v in result.rows.items())
    extra = " (completed an interrupted import)" if result.resumed else ""
    typer.echo(f"imported {done} into workspace {plan.workspace.slug!r} as batch "
               f"{result.batch_id}{extra}")
