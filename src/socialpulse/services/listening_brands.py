"""Listening, part 1: the brands a workspace listens for and their Boolean queries.

Also the base of the listening service's parts: the ports every part uses (wired in
`bootstrap.py`), so each part is a small module with one concern and `ListeningService`
(services/listening.py) is their sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, MissingData, NotFound
from socialpulse.domain.listening.query import Document, Query, parse_query, prepare
from socialpulse.domain.metrics import Catalogue
from socialpulse.domain.models import Brand, Workspace
from socialpulse.services.ports import (
    ListeningNlp,
    ListeningTables,
    MentionQueries,
    MentionWriter,
    OpenMentionSource,
    WorkspaceRepository,
)


@dataclass(frozen=True)
class BrandQuery:
    brand: Brand
    query: str | None


class ListeningBase:
    """The ports of listening; every part of the service reads them from here."""

    def __init__(self, store: WorkspaceRepository, queries: MentionQueries,
                 writer: MentionWriter, repo: ListeningTables, nlp: ListeningNlp,
                 open_source: OpenMentionSource, catalogue: Catalogue) -> None:
        self.store = store
        self.queries = queries
        self.writer = writer
        self.repo = repo
        self.nlp = nlp
        self.open_source = open_source
        self.catalogue = catalogue


class BrandQueries(ListeningBase):
    """Brands and their queries; testing a query against the stored mentions."""

    def brands(self, ws: Workspace) -> list[BrandQuery]:
        queries = self.repo.queries(ws.id)
        return [BrandQuery(b, queries.get(b.id)) for b in self.store.brands(ws.id)]

    def brand(self, ws: Workspace, name: str) -> Brand:
        for b in self.store.brands(ws.id):
            if b.name.casefold() == name.strip().casefold():
                return b
        known = ", ".join(b.name for b in self.store.brands(ws.id)) or "none yet"
        raise NotFound(f"brand {name!r} not found in workspace {ws.slug!r} (brands: {known}); "
                       "add it with `socialpulse listen brands add NAME`")

    def brand_id(self, ws: Workspace, name: str | None) -> int | None:
        """The id of the named brand (None when no brand is named: every brand)."""
        return self.brand(ws, name).id if name else None

    def add_brand(self, actor: Actor, ws: Workspace, name: str, own: bool = False,
                  query: str | None = None) -> BrandQuery:
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        name = name.strip()
        if not name:
            raise InvalidInput("brand: name is empty")
        if own and any(b.is_own and b.name != name for b in self.store.brands(ws.id)):
            raise InvalidInput(f"brand {name!r}: the workspace already has an own brand")
        if query is not None:
            parse_query(query)
        brand = self.store.ensure_brand(ws.id, name, own)
        if query is not None:
            self.repo.set_query(ws.id, brand.id, query)
        return BrandQuery(brand, self.repo.queries(ws.id).get(brand.id))

    def set_query(self, actor: Actor, ws: Workspace, brand_name: str, query: str
                  ) -> BrandQuery:
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        parse_query(query)  # refuse before storing: the error names the column
        brand = self.brand(ws, brand_name)
        self.repo.set_query(ws.id, brand.id, query)
        return BrandQuery(brand, query)

    def compiled_queries(self, ws: Workspace) -> list[tuple[Brand, Query]]:
        out = []
        for bq in self.brands(ws):
            if bq.query:
                try:
                    out.append((bq.brand, parse_query(bq.query)))
                except InvalidInput as exc:
                    raise InvalidInput(f"brand {bq.brand.name!r}: {exc.message}") from None
        if not out:
            raise MissingData(
                f"workspace {ws.slug!r} has no brand queries yet; set one with "
                "`socialpulse listen query BRAND '\"brand name\" OR @handle'`"
            )
        return out

    def test_query(self, ws: Workspace, query: str, limit: int = 20) -> dict[str, Any]:
        """How many stored mentions a query would match (and some examples), before saving."""
        q = parse_query(query)
        matched: list[dict[str, Any]] = []
        total = 0
        rows = self.queries.scan(ws.id)
        for row in rows:
            d = prepare(Document(row["text"] or "", row["lang"] or "", row["author"] or "",
                                 row["network"] or ""))
            if q.match_prepared(d):
                total += 1
                if len(matched) < limit:
                    matched.append({**row, "tagged": q.tagged_prepared(d)})
        return {"query": query, "tags": list(q.tags), "scanned": len(rows), "matched": total,
                "examples": matched}
