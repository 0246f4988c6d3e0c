"""The scope parameters of the API and the pages: ``scope=own|competitors|all`` and ``brand=``.

One reading for every endpoint and page (metrics, posts, compare, the explorer), so a URL asks
for the same accounts wherever it is used, and one answer shape (`UsedScopeOut`) that says which
scope a figure used.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from pydantic import BaseModel, Field

from socialpulse.bootstrap import App
from socialpulse.domain.models import Workspace
from socialpulse.domain.query import Scope, ScopeKind, brand_of, parse_scope

ScopeParam = Annotated[str | None, Query(
    description="own (default: brands not flagged competitor), competitors or all.")]
BrandParam = Annotated[list[str] | None, Query(
    description="Only this brand's accounts; repeat for several (instead of scope).")]


class UsedScopeOut(BaseModel):
    kind: str = Field(description="own, competitors, all, brands or accounts.")
    brands: list[str] = Field(description="The brands covered ('(no brand)' for accounts "
                                          "without one).")
    label: str = Field(description="In words, as pages show it: own brands (Acme Outdoor).")
    accounts: int = Field(description="How many accounts the scope covers.")


def api_scope(scope: str | None, brand: list[str] | None) -> Scope:
    """The scope the query parameters ask for (errors name the parameter)."""
    return parse_scope(scope, brand or (), "scope" if not brand else "brand")


def page_scope(request: Request) -> Scope:
    """A page's ``?scope=`` and ``?brand=``: the selector's value is ``own``, ``competitors``,
    ``all`` or ``brand:NAME``."""
    q = request.query_params
    value = (q.get("scope") or "").strip()
    brands = q.getlist("brand")
    if value.startswith("brand:"):
        brands = [*brands, value.removeprefix("brand:")]
        value = ""
    return api_scope(value or None, brands)


def scope_value(scope: Scope) -> str:
    """The selector value of a scope (the inverse of `page_scope`)."""
    if scope.kind is ScopeKind.BRANDS and len(scope.brands) == 1:
        return f"brand:{scope.brands[0]}"
    return scope.kind.value


def scope_query(scope: Scope) -> str:
    """``scope=KIND`` or ``brand=A&brand=B``: the scope as API query parameters, to append to
    a link (`page_url` takes one value per parameter)."""
    if scope.kind is ScopeKind.BRANDS:
        return urlencode({"brand": list(scope.brands)}, doseq=True)
    return urlencode({"scope": scope.kind.value})


def scope_choices(app: App, ws: Workspace) -> list[dict[str, Any]]:
    """The options of a page's scope selector: own, competitors, all, then each brand."""
    accounts = app.workspaces.accounts(ws)
    choices = [{"value": "own", "label": "Own brands"}]
    if any(not a.is_own for a in accounts):
        choices.append({"value": "competitors", "label": "Competitors"})
    choices.append({"value": "all", "label": "All brands"})
    for name in sorted({brand_of(a) for a in accounts}):
        choices.append({"value": f"brand:{name}", "label": name})
    return choices
