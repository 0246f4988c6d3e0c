"""The scope options every computing command shares: own brands unless asked otherwise.

``--brand NAME`` (repeatable), ``--competitors`` or ``--all``; without any, the workspace's own
brands. One parser, so `metrics compute`, `posts` and `compare` read them alike, and one line
(``scope: own brands (Acme Outdoor)``) that says under each table whose accounts it covers.
"""

from __future__ import annotations

from typing import Annotated

import typer

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.query import ResolvedScope, Scope, ScopeKind, parse_scope

BrandOpt = Annotated[list[str] | None, typer.Option(
    "--brand", help="Only this brand's accounts (repeat for several).", show_default=False)]
CompetitorsOpt = Annotated[bool, typer.Option(
    "--competitors", help="Competitor brands only (default: own brands).")]
AllOpt = Annotated[bool, typer.Option(
    "--all", help="Every account, own and competitors' (default: own brands).")]


def scope_option(brands: list[str] | None, competitors: bool, every: bool) -> Scope:
    """The scope the options ask for; two of them at once is an error naming both."""
    asked = [name for name, on in (("--brand", bool(brands)), ("--competitors", competitors),
                                   ("--all", every)) if on]
    if len(asked) > 1:
        raise InvalidInput(f"{' and '.join(asked)}: choose one scope")
    kind = ScopeKind.COMPETITORS if competitors else ScopeKind.ALL if every else None
    return parse_scope(kind, brands or (), "--brand")


def scope_line(scope: ResolvedScope | None) -> str:
    """What a table prints under itself: ``scope: own brands (Acme Outdoor)``."""
    return f"scope: {scope.label if scope else 'brand mentions (listening data has no accounts)'}"
