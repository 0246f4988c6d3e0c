"""`socialpulse report`: the executive report as PDF, HTML or XLSX, branding and schedules.

    socialpulse report --period 2026-Q3 --format pdf -o q3.pdf
    socialpulse report branding --name "Acme Outdoor" --colour '#0a6' --logo logo.svg
    socialpulse report schedule add --cadence monthly --format pdf --folder ~/reports --to a@b.c
    socialpulse report run-due [--today 2026-11-02]

Generating is the group's own callback (``invoke_without_command``), so the issue's form
``socialpulse report --period ... -o FILE`` works and the subcommands sit beside it.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import parse_date, parse_period
from socialpulse.interfaces.cli.common import (
    WorkspaceOpt,
    acting,
    id_argument,
    open_app,
    open_workspace,
    print_table,
)
from socialpulse.interfaces.cli.root import app

report_app = typer.Typer(
    help="The executive report (PDF, HTML, XLSX), its branding and scheduled reports.",
    invoke_without_command=True,
)
schedule_app = typer.Typer(help="Scheduled reports: add, list, remove.", no_args_is_help=True)
report_app.add_typer(schedule_app, name="schedule")
app.add_typer(report_app, name="report")


def _check_output(output: Path) -> Path:
    """Fail before the (slow) rendering when the file cannot be written."""
    out = output.expanduser()
    if out.is_dir():
        raise InvalidInput(f"-o {output}: is a folder; give a file name, e.g. {output}/q3.pdf")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InvalidInput(f"-o {output}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise InvalidInput(f"-o {output}: not writable")
    return out


@report_app.callback()
def generate(
    ctx: typer.Context,
    workspace: WorkspaceOpt = None,
    period: Annotated[str | None, typer.Option(
        "--period", "-p", help="2026-Q3, 2026-09, 2026-W37 or FROM..TO (dates inclusive).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="pdf, html or xlsx.")] = "pdf",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: <workspace>-<period>.<format>).")
    ] = None,
    today: Annotated[str | None, typer.Option(
        help="Date the goals' status is taken on (default: today).")] = None,
) -> None:
    """Generate the report for a period: `socialpulse report --period 2026-Q3 -o q3.pdf`."""
    if ctx.invoked_subcommand is not None:
        return
    from socialpulse.services.report_render import parse_format, render, write_atomic

    if not period:
        raise InvalidInput("--period: give the report's period, e.g. --period 2026-Q3 "
                           "(or 2026-09, 2026-W37, 2026-07-01..2026-09-30)")
    rng = parse_period(period, "--period", date.today())
    f = parse_format(fmt)
    day = parse_date(today, "--today", date.today()) if today else None
    app, ws = open_workspace(workspace)
    safe = period.strip().replace("..", "_to_").replace("/", "-")
    out = _check_output(output or Path(f"{ws.slug}-{safe}.{f.value}"))
    report = app.reports.build(ws, rng, day)
    data = render(report, f)
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise InvalidInput(f"-o {out}: cannot write ({exc.strerror})") from None
    kinds = ", ".join(s.title.lower() for s in report.sections)
    typer.echo(f"wrote {out} ({f.value}, {len(data):,} bytes): {report.title}; sections: "
               f"{kinds}")
    for note in report.notes:
        typer.echo(f"note: {note}", err=True)


@report_app.command("branding")
def branding(
    workspace: WorkspaceOpt = None,
    name: Annotated[str | None, typer.Option(help="Display name on the cover.")] = None,
    colour: Annotated[str | None, typer.Option(
        "--colour", "--color", "--primary", help="Primary colour, hex (#0a6 or #0f766e).")
    ] = None,
    accent: Annotated[str | None, typer.Option(help="Accent colour, hex.")] = None,
    logo: Annotated[Path | None, typer.Option(help="Logo file: PNG or SVG, at most 512 KB.")
                    ] = None,
    no_logo: Annotated[bool, typer.Option("--no-logo", help="Remove the logo.")] = False,
) -> None:
    """Set the workspace's report branding (unchanged fields keep their value); shows it."""
    app, ws = open_workspace(workspace)
    view = app.branding.update(acting(), ws, name=name, primary=colour, accent=accent,
                               logo=logo, clear_logo=no_logo)
    typer.echo(f"branding of {ws.slug}: name {view.name!r}, primary {view.primary}, "
               f"accent {view.accent}, logo {'yes' if view.logo_uri else 'none'}")


@schedule_app.command("add")
def schedule_add(
    workspace: WorkspaceOpt = None,
    cadence: Annotated[str, typer.Option(help="weekly or monthly.")] = "monthly",
    fmt: Annotated[str, typer.Option("--format", "-f", help="pdf, html or xlsx.")] = "pdf",
    folder: Annotated[Path, typer.Option(help="Folder the reports are written to.")
                      ] = Path("reports"),
    to: Annotated[list[str] | None, typer.Option(
        "--to", help="E-mail recipient (repeat, or comma-separated); sent when SMTP is set.")
    ] = None,
) -> None:
    """Add a scheduled report; `report run-due` (e.g. daily from cron) delivers it."""
    app, ws = open_workspace(workspace)
    sch = app.report_schedules.add(acting(), ws, cadence, fmt, folder, to or [])
    typer.echo(f"schedule {sch.id}: {sch.cadence} {sch.format} report of {ws.slug} to "
               f"{sch.folder}" + (f", e-mailed to {', '.join(sch.recipients)}"
                                  if sch.recipients else ""))


@schedule_app.command("list")
def schedule_list(workspace: WorkspaceOpt = None) -> None:
    """Scheduled reports of the workspace."""
    app, ws = open_workspace(workspace)
    rows = [[str(s.id), s.cadence, s.format, s.folder, ", ".join(s.recipients) or "-"]
            for s in app.report_schedules.schedules(ws)]
    if not rows:
        typer.echo(f"no scheduled reports in {ws.slug}; add one with "
                   "`socialpulse report schedule add`")
        return
    print_table(["id", "cadence", "format", "folder", "recipients"], rows)


@schedule_app.command("remove")
def schedule_remove(
    schedule_id: Annotated[int, id_argument("Schedule id (see `schedule list`).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Remove a scheduled report."""
    app, ws = open_workspace(workspace)
    app.report_schedules.remove(acting(), ws, schedule_id)
    typer.echo(f"schedule {schedule_id} removed")


@report_app.command("run-due")
def run_due(
    today: Annotated[str | None, typer.Option(
        help="Run as if on this date (default: today).")] = None,
) -> None:
    """Deliver every schedule's last complete week or month not delivered yet (idempotent):
    one queued job per schedule and period, run here (or by the worker that took it)."""
    from socialpulse.services.report_schedules import SmtpConfig

    day = parse_date(today, "--today", date.today()) if today else date.today()
    smtp = SmtpConfig.from_env(os.environ)
    app = open_app()
    results = app.report_schedules.run_due(acting(), day, smtp)
    if not results:
        typer.echo("no scheduled reports; add one with `socialpulse report schedule add`")
    failed = 0
    for r in results:
        if r.status == "delivered":
            sent = f", e-mailed to {', '.join(r.emailed_to)}" if r.emailed_to else ""
            extra = f" ({r.message})" if r.message else ""
            typer.echo(f"schedule {r.schedule_id} {r.period_key}: wrote {r.path}{sent}{extra}")
        elif r.status in ("failed", "outcome unknown"):
            failed += 1
            typer.echo(f"schedule {r.schedule_id} {r.period_key}: {r.status}: {r.message}",
                       err=True)
        else:
            typer.echo(f"schedule {r.schedule_id} {r.period_key}: already delivered")
    if failed:
        raise typer.Exit(1)
