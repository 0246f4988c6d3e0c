"""Workspace and account use cases."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from socialpulse.adapters.lake import Lake
from socialpulse.adapters.store import Store
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Account, Function, Network, Workspace, check_slug


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
    def __init__(self, store: Store, lake: Lake) -> None:
        self.store = store
        self.lake = lake

    def create(
        self, slug: str, name: str, timezone: str = "UTC", languages: Sequence[str] = ("en",)
    ) -> Workspace:
        return self.store.create_workspace(
            check_slug(slug, "workspace"),
            name.strip() or slug,
            check_timezone(timezone),
            check_languages(languages),
        )

    def delete(self, ws: Workspace) -> None:
        """Forget the workspace in the database first, then remove its files."""
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
        ws: Workspace,
        network: Network,
        handle: str,
        name: str = "",
        url: str = "",
        function: Function = Function.MARKETING,
        brand: str | None = None,
        competitor: bool = False,
    ) -> Account:
        brand_id = None
        if brand:
            brand_id = self.store.ensure_brand(ws.id, brand, is_own=not competitor).id
        return self.store.ensure_account(
            ws.id, network, handle, name=name, url=url, function=function, brand_id=brand_id
        )
