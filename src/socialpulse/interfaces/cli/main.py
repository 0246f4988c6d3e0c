"""The `socialpulse` command line: `main` runs the root app with every command group.

Each command group is a module of this package that adds itself to the root app (`root.app`)
when imported, so a new group is one module plus one import line below. The imports' order is
the order of ``socialpulse --help``.

Errors users can fix print one line (``socialpulse: error: ...``) and exit with code 2; no
traceback unless SOCIALPULSE_DEBUG=1.
"""

from __future__ import annotations

import os
import sys

import click
import typer

# isort: off
# registration: importing a group module adds its commands to `app` (order = --help order)
import socialpulse.interfaces.cli.metrics
import socialpulse.interfaces.cli.workspaces
import socialpulse.interfaces.cli.lake
import socialpulse.interfaces.cli.imports
import socialpulse.interfaces.cli.audience
import socialpulse.interfaces.cli.compare
import socialpulse.interfaces.cli.goals
import socialpulse.interfaces.cli.maturity
import socialpulse.interfaces.cli.listen
import socialpulse.interfaces.cli.listen_live
import socialpulse.interfaces.cli.report
import socialpulse.interfaces.cli.connect
import socialpulse.interfaces.cli.publish
import socialpulse.interfaces.cli.core
import socialpulse.interfaces.cli.worker
import socialpulse.interfaces.cli.users
import socialpulse.interfaces.cli.access
import socialpulse.interfaces.cli.audit_log
import socialpulse.interfaces.cli.posts
import socialpulse.interfaces.cli.inbox  # noqa: F401
# isort: on
from socialpulse.domain.errors import SocialPulseError
from socialpulse.interfaces.cli.root import app

__all__ = ["app", "entrypoint", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: one-line errors and exit code 2 for anything the user can fix."""
    try:
        # without standalone mode, a command's `typer.Exit(n)` comes back as the return value
        # (not raised): a run-due whose delivery failed exited 0 while it said it failed
        code = app(args=argv, standalone_mode=False)
    except SocialPulseError as exc:
        # one line per issue (catalogue validation lists every issue it found)
        for line in exc.message.splitlines() or [""]:
            typer.echo(f"socialpulse: error: {line}", err=True)
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
