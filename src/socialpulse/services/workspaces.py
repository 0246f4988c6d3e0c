"""Workspace and account use cases: the reads every interface lists, and the writes, each
authorized for the acting user in `domain.actor`."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, NotFound
from socialpulse.domain.models import (
    Account,
    Function,
    Network,
    Workspace,
    check_slug,
    find_account,
    http_url,
    parse_enum,
)
from socialpulse.services.ports import DataLake, WorkspaceRepository


def check_timezone(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"timezone: unknown time zone {tz!r}; use an IANA name such as Europe/Madrid"
        ) from None
    return tz


def check_languages(langs: Sequence[str]) -> tuple[str, ...]:
    out = tuple(lang.strip().lower() for lang in langs if lang.strip())
    for lang in out:
        if not (2 <= len(lang) <= 3 and lang.isalpha()):
            raise InvalidInput(f"languages: {lang!r} is not an ISO 639 code such as en or es")
    return out or ("en",)


class WorkspaceService:
    def __init__(self, store: WorkspaceRepository, lake: DataLake,
                 on_created: Callable[[Actor, Workspace], None] | None = None) -> None:
        """``on_created`` runs after a workspace is created (the members service makes its
        creator, when a signed-in user, its owner)."""
        self.store = store
        self.lake = lake
        self.on_created = on_created

    def list(self) -> list[Workspace]:
        """Every workspace, by slug. (Below, ``builtins.list`` names the type.)"""
        return self.store.workspaces()

    def get(self, slug: str) -> Workspace:
        """The workspace of that slug (NotFound names the ones there are)."""
        return self.store.workspace(slug)

    def find(self, slug: str) -> Workspace | None:
        return self.store.find_workspace(slug)

    def default(self, slug: str | None) -> Workspace:
        """The named workspace, or the first one when none is named."""
        if slug:
            return self.get(slug)
        every = self.list()
        if not every:
            raise NotFound(
                "no workspace yet: load the demo with `socialpulse demo --no-serve` or create one "
                "with `socialpulse workspaces add SLUG`"
            )
        return every[0]

    def accounts(self, ws: Workspace) -> builtins.list[Account]:
        """The workspace's accounts with their brands (what every computation scopes by)."""
        return self.store.accounts(ws.id)

    def create(
        self, actor: Actor, slug: str, name: str, timezone: str = "UTC",
        languages: Sequence[str] = ("en",)
    ) -> Workspace:
        authorize(actor, Action.WORKSPACE_CREATE)
        ws = self.store.create_workspace(
            check_slug(slug, "workspace"),
            name.strip() or slug,
            check_timezone(timezone),
            check_languages(languages),
        )
        if self.on_created is not None:
            self.on_created(actor, ws)
        return ws

    def update(self, actor: Actor, ws: Workspace, name: str | None = None,
               timezone: str | None = None, languages: Sequence[str] | None = None,
               ) -> tuple[Workspace, dict[str, int]]:
        """Rename, change languages, or move the workspace to another time zone.

        Day boundaries follow the time zone, so a new zone re-derives the local day of every
        post and mention already imported (the lake is rewritten as one compacted batch and
        the setting changes in the same transaction); returns the rows rewritten. Languages
        apply to mentions ingested from now on."""
        authorize(actor, Action.WORKSPACE_EDIT, ws.slug)
        if name is not None and not name.strip():
            raise InvalidInput("name: give a non-empty name")
        tz = check_timezone(timezone) if timezone is not None else None
        langs = check_languages(languages) if languages is not None else None
        if name is None and tz is None and langs is None:
            raise InvalidInput("workspace: nothing to change; give a name, timezone or languages")
        rows: dict[str, int] = {}
        if tz is not None and tz != ws.timezone:
            rows = self.lake.compact(ws.id, timezone=tz)
        updated = self.store.update_workspace(ws.id, name=name.strip() if name else None,
                                              languages=langs)
        return updated, rows

    def delete(self, actor: Actor, ws: Workspace) -> None:
        """Forget the workspace in the database first, then remove its files."""
        authorize(actor, Action.WORKSPACE_EDIT, ws.slug)
        files = [f for b in self.store.batches(ws.id, None) for f in b.files]
        self.store.delete_workspace(ws.id)
        for rel in files:
            (self.lake.root / rel).unlink(missing_ok=True)
        for folder in self.lake.root.glob(f"*/ws={ws.id}"):
            for path in sorted(folder.rglob("*"), reverse=True):
                if path.is_file():
                    path.unlink(missing_ok=True)
                else:
                    path.rmdir()
            folder.rmdir()

    def add_account(
        self,
        actor: Actor,
        ws: Workspace,
        network: Network,
        handle: str,
        name: str = "",
        url: str = "",
        function: Function = Function.MARKETING,
        brand: str | None = None,
        competitor: bool = False,
    ) -> Account:
        authorize(actor, Action.WORKSPACE_EDIT, ws.slug)
        brand_id = None
        if brand:
            brand_id = self.store.ensure_brand(ws.id, brand, is_own=not competitor).id
        return self.store.ensure_account(
            ws.id, network, handle, name=name, url=url, function=function, brand_id=brand_id
        )

    def update_account(
        self,
        actor: Actor,
        ws: Workspace,
        ref: str | int,
        name: str | None = None,
        url: str | None = None,
        function: str | None = None,
        brand: str | None = None,
        competitor: bool | None = None,
    ) -> Account:
        """Correct what an import could not know: the account's owning function (maturity
        counts the functions that use social), its brand and whether that brand is a
        competitor (the Overview and goals measure own brands only), its name or URL."""
        authorize(actor, Action.WORKSPACE_EDIT, ws.slug)
        acc = find_account(self.store.accounts(ws.id), ref, "account")
        if all(v is None for v in (name, url, function, brand, competitor)):
            raise InvalidInput("account: nothing to change; give a name, url, function, brand "
                               "or competitor")
        if name is not None and not name.strip():
            raise InvalidInput("name: give a non-empty name")
        if brand is not None and not brand.strip():
            raise InvalidInput("brand: give the brand's name")
        clean_url = url.strip() if url is not None else None
        if clean_url and not http_url(clean_url):
            raise InvalidInput(f"url: {clean_url!r} is not an http(s) address")
        return self.store.update_account(
            ws.id, acc.id, name=name.strip() if name is not None else None, url=clean_url,
            function=parse_enum(Function, function, "function") if function else None,
            brand=brand.strip() if brand is not None else None,
            brand_is_own=None if competitor is None else not competitor)
