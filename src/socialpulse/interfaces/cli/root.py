"""The root `socialpulse` command: the Typer app every command group adds itself to, and the
global options (``--home``, ``--database-url``, ``--engine``) its callback stores in `STATE`.

A module of its own so that each command group module can import `app` and register itself
(``app.add_typer(...)`` or ``@app.command``) without importing `main`, which imports them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from socialpulse.interfaces.cli.common import STATE

app = typer.Typer(
    name="socialpulse",
    help="Prove and grow the value of your social media.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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
