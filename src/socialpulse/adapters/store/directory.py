"""Workspaces, brands and accounts: the Store's directory of who is analysed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialpulse.domain.errors import Conflict, InvalidInput, NotFound
from socialpulse.domain.models import Account, Brand, Function, Network, Workspace

from .core import StoreCore, _now
from .tables import AccountRow, BrandRow, WorkspaceRow


def _ws(row: WorkspaceRow) -> Workspace:
    return Workspace(
        id=row.id,
        slug=row.slug,
        name=row.name,
        timezone=row.timezone,
        languages=tuple(row.languages or ()),
    )


class DirectoryRepo(StoreCore):
    """Workspaces, brands and accounts (every method is one short transaction)."""

    # --- workspaces -----------------------------------------------------------------------

    def create_workspace(
        self, slug: str, name: str, timezone: str = "UTC", languages: Sequence[str] = ("en",)
    ) -> Workspace:
        try:
            with self.session() as s:
                row = WorkspaceRow(
                    slug=slug,
                    name=name,
                    timezone=timezone,
                    languages=list(languages),
                    created_at=_now(),
                )
                s.add(row)
                s.flush()
                return _ws(row)
        except IntegrityError:
            raise Conflict(f"workspace {slug!r} already exists") from None

    @staticmethod
    def _set_workspace(s: Session, workspace_id: int, **fields: Any) -> WorkspaceRow:
        row = s.get(WorkspaceRow, workspace_id)
        if row is None:
            raise NotFound(f"workspace {workspace_id} not found")
        for name, value in fields.items():
            if value is not None:
                setattr(row, name, list(value) if name == "languages" else value)
        return row

    def update_workspace(self, workspace_id: int, name: str | None = None,
                         timezone: str | None = None,
                         languages: Sequence[str] | None = None) -> Workspace:
        """Change a workspace's settings (None: keep). A new time zone also needs the lake's
        local days re-derived: `Lake.compact(timezone=...)` does both at once."""
        with self.session() as s:
            return _ws(self._set_workspace(s, workspace_id, name=name, timezone=timezone,
                                           languages=languages))

    def workspaces(self) -> list[Workspace]:
        with self.session() as s:
            return [_ws(r) for r in s.scalars(select(WorkspaceRow).order_by(WorkspaceRow.slug))]

    def find_workspace(self, slug: str) -> Workspace | None:
        with self.session() as s:
            row = s.scalar(select(WorkspaceRow).where(WorkspaceRow.slug == slug))
            return _ws(row) if row else None

    def workspace(self, slug: str) -> Workspace:
        ws = self.find_workspace(slug)
        if ws is None:
            known = ", ".join(w.slug for w in self.workspaces()) or "none yet"
            raise NotFound(f"workspace {slug!r} not found (workspaces: {known})")
        return ws

    def delete_workspace(self, workspace_id: int) -> None:
        with self.session() as s:
            row = s.get(WorkspaceRow, workspace_id)
            if row is not None:
                s.delete(row)

    # --- brands and accounts --------------------------------------------------------------

    @staticmethod
    def _brand_row(s: Session, workspace_id: int, name: str, is_own: bool) -> BrandRow:
        """The brand of that name, created (own or not) when new; an existing one is kept."""
        row = s.scalar(
            select(BrandRow).where(BrandRow.workspace_id == workspace_id, BrandRow.name == name)
        )
        if row is None:
            row = BrandRow(workspace_id=workspace_id, name=name, is_own=is_own)
            s.add(row)
            s.flush()
        return row

    def ensure_brand(self, workspace_id: int, name: str, is_own: bool) -> Brand:
        with self.session() as s:
            row = self._brand_row(s, workspace_id, name, is_own)
            return Brand(row.id, row.workspace_id, row.name, row.is_own)

    def brands(self, workspace_id: int) -> list[Brand]:
        with self.session() as s:
            rows = s.scalars(
                select(BrandRow)
                .where(BrandRow.workspace_id == workspace_id)
                .order_by(BrandRow.is_own.desc(), BrandRow.name)
            )
            return [Brand(r.id, r.workspace_id, r.name, r.is_own) for r in rows]

    def ensure_account(
        self,
        workspace_id: int,
        network: Network,
        handle: str,
        *,
        name: str = "",
        url: str = "",
        function: Function = Function.MARKETING,
        brand_id: int | None = None,
    ) -> Account:
        """Find an account by network and handle, creating it if new (imports call this)."""
        handle = handle.strip()
        if not handle:
            raise InvalidInput("account: handle is empty")
        with self.session() as s:
            row = s.scalar(
                select(AccountRow).where(
                    AccountRow.workspace_id == workspace_id,
                    AccountRow.network == network.value,
                    AccountRow.handle == handle,
                )
            )
            if row is None:
                row = AccountRow(
                    workspace_id=workspace_id,
                    network=network.value,
                    handle=handle,
                    name=name or handle,
                    url=url,
                    function=function.value,
                    brand_id=brand_id,
                    created_at=_now(),
                )
                s.add(row)
                s.flush()
        return self._accounts(workspace_id, row.id)[0]

    def update_account(
        self,
        workspace_id: int,
        account_id: int,
        *,
        name: str | None = None,
        url: str | None = None,
        function: Function | None = None,
        brand: str | None = None,
        brand_is_own: bool | None = None,
    ) -> Account:
        """Change an account (None: keep), in one transaction with the brand it joins.

        ``brand`` moves the account to that brand (created if new, own unless
        ``brand_is_own`` says otherwise); ``brand_is_own`` alone flips the account's current
        brand, which applies to every account of that brand: own or competitor is a property
        of the brand, not of one account."""
        with self.session() as s:
            row = s.scalar(select(AccountRow).where(AccountRow.workspace_id == workspace_id,
                                                    AccountRow.id == account_id))
            if row is None:
                raise NotFound(f"account {account_id} not found in this workspace")
            if name is not None:
                row.name = name
            if url is not None:
                row.url = url
            if function is not None:
                row.function = function.value
            if brand is not None:
                row.brand_id = self._brand_row(s, workspace_id, brand,
                                               brand_is_own is not False).id
            if brand_is_own is not None:
                if row.brand_id is None:
                    raise InvalidInput("competitor: the account has no brand; name its brand too")
                brand_row = s.get(BrandRow, row.brand_id)
                if brand_row is not None:
                    brand_row.is_own = brand_is_own
        return self._accounts(workspace_id, account_id)[0]

    def _accounts(self, workspace_id: int, account_id: int | None = None) -> list[Account]:
        with self.session() as s:
            q = (
                select(AccountRow, BrandRow)
                .outerjoin(BrandRow, AccountRow.brand_id == BrandRow.id)
                .where(AccountRow.workspace_id == workspace_id)
                .order_by(AccountRow.network, AccountRow.handle)
            )
            if account_id is not None:
                q = q.where(AccountRow.id == account_id)
            out = []
            for acc, brand in s.execute(q):
                out.append(
                    Account(
                        id=acc.id,
                        workspace_id=acc.workspace_id,
                        network=Network(acc.network),
                        handle=acc.handle,
                        name=acc.name,
                        url=acc.url,
                        function=Function(acc.function),
                        brand_id=acc.brand_id,
                        brand_name=brand.name if brand else "",
                        is_own=brand.is_own if brand else True,
                    )
                )
            return out

    def accounts(self, workspace_id: int) -> list[Account]:
        return self._accounts(workspace_id)
