"""Memberships and API tokens over the app database (the `AccessRepository` port).

Changing a member and checking that the workspace keeps an owner happen in one transaction
that first locks the workspace's membership rows (``FOR UPDATE`` on PostgreSQL; SQLite's one
write lock does the same), so two admins demoting the last two owners at once cannot both
succeed. Times are given by the caller (the services own the clock).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialpulse.domain.access import ApiToken, Member, UserRef
from socialpulse.domain.errors import Conflict
from socialpulse.domain.roles import Role

from . import Store
from .access_tables import ApiTokenRow, MembershipRow
from .identity_tables import UserRow
from .tables import WorkspaceRow


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _user(row: UserRow) -> UserRef:
    return UserRef(id=row.id, login=row.login, name=row.name, site_admin=row.site_admin,
                   disabled=row.disabled)


class AccessRepo:
    """Every method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- users (read only: AUTHN's table) ---------------------------------------------------

    def user_by_login(self, login: str) -> UserRef | None:
        with self.store.session() as s:
            row = s.scalars(select(UserRow).where(UserRow.login == login.strip().lower())).first()
            return _user(row) if row else None

    def user_by_id(self, user_id: int) -> UserRef | None:
        with self.store.session() as s:
            row = s.get(UserRow, user_id)
            return _user(row) if row else None

    # --- memberships --------------------------------------------------------------------------

    def roles_of(self, user_id: int) -> list[tuple[str, Role]]:
        """(workspace slug, role) of every membership of the user, by slug."""
        with self.store.session() as s:
            rows = s.execute(
                select(WorkspaceRow.slug, MembershipRow.role)
                .join(WorkspaceRow, WorkspaceRow.id == MembershipRow.workspace_id)
                .where(MembershipRow.user_id == user_id).order_by(WorkspaceRow.slug))
            return [(slug, Role(role)) for slug, role in rows]

    def members(self, workspace_id: int) -> list[Member]:
        """The workspace's members, by login."""
        with self.store.session() as s:
            rows = s.execute(
                select(MembershipRow, UserRow, WorkspaceRow.slug)
                .join(UserRow, UserRow.id == MembershipRow.user_id)
                .join(WorkspaceRow, WorkspaceRow.id == MembershipRow.workspace_id)
                .where(MembershipRow.workspace_id == workspace_id).order_by(UserRow.login))
            return [Member(workspace=slug, user_id=u.id, login=u.login, name=u.name,
                           role=Role(m.role), disabled=u.disabled,
                           added_at=_utc(m.created_at) or m.created_at)
                    for m, u, slug in rows]

    @staticmethod
    def _locked(s: Session, workspace_id: int) -> list[MembershipRow]:
        return list(s.scalars(select(MembershipRow)
                              .where(MembershipRow.workspace_id == workspace_id)
                              .with_for_update()))

    def set_member(self, workspace_id: int, user_id: int, role: Role | None, *,
                   now: datetime, adding: bool,
                   check_owner: Callable[[], None]) -> Role | None:
        """Add (``adding``), change or (``role`` None) remove a membership; answers the role
        the user had before (None: was not a member). ``check_owner`` runs (and may raise)
        inside the transaction when an owner is made, changed or removed, so the decision
        sees the role as it is. Raises Conflict when adding someone already there, or when
        the workspace would be left without an owner."""
        try:
            with self.store.session() as s:
                rows = self._locked(s, workspace_id)
                mine = next((r for r in rows if r.user_id == user_id), None)
                before = Role(mine.role) if mine else None
                if Role.OWNER in (before, role):
                    check_owner()
                if adding and mine is not None:
                    raise Conflict(f"already a member, as {mine.role}; change the role "
                                   "with `socialpulse members set-role`")
                if mine is None and role is not None:
                    mine = MembershipRow(workspace_id=workspace_id, user_id=user_id,
                                         role=role.value, created_at=now)
                    s.add(mine)
                    rows.append(mine)
                elif mine is not None and role is None:
                    s.delete(mine)
                    rows.remove(mine)
                elif mine is not None and role is not None:
                    mine.role = role.value
                had_owner = before is Role.OWNER
                if had_owner and not any(r.role == Role.OWNER.value for r in rows):
                    raise Conflict("this is the workspace's last owner; make another member "
                                   "owner first")
                return before
        except IntegrityError:  # a concurrent add of the same member
            raise Conflict("already a member; change the role with "
                           "`socialpulse members set-role`") from None

    # --- tokens -------------------------------------------------------------------------------

    def add_token(self, user_id: int, name: str, prefix: str, secret_hash: str,
                  workspace_ids: Sequence[int] | None, read_only: bool, *, now: datetime,
                  expires_at: datetime | None) -> ApiToken:
        with self.store.session() as s:
            row = ApiTokenRow(user_id=user_id, name=name, prefix=prefix,
                              secret_hash=secret_hash, read_only=read_only,
                              workspace_ids=None if workspace_ids is None
                              else sorted(set(workspace_ids)),
                              created_at=now, expires_at=expires_at)
            s.add(row)
            s.flush()
            return self._token(s, row)

    def token_by_hash(self, secret_hash: str) -> ApiToken | None:
        with self.store.session() as s:
            row = s.scalars(select(ApiTokenRow)
                            .where(ApiTokenRow.secret_hash == secret_hash)).first()
            return self._token(s, row) if row else None

    def tokens(self, user_id: int | None) -> list[ApiToken]:
        """A user's tokens (None: everyone's), newest first."""
        with self.store.session() as s:
            q = select(ApiTokenRow).order_by(ApiTokenRow.id.desc())
            if user_id is not None:
                q = q.where(ApiTokenRow.user_id == user_id)
            return [self._token(s, r) for r in s.scalars(q)]

    def token(self, token_id: int) -> ApiToken | None:
        with self.store.session() as s:
            row = s.get(ApiTokenRow, token_id)
            return self._token(s, row) if row else None

    def touch_token(self, token_id: int, now: datetime) -> None:
        with self.store.session() as s:
            s.execute(update(ApiTokenRow).where(ApiTokenRow.id == token_id)
                      .values(last_used_at=now))

    def revoke_token(self, token_id: int, now: datetime) -> bool:
        """Revoke it (once: a revoked token keeps its first revocation time)."""
        with self.store.session() as s:
            done = s.execute(update(ApiTokenRow)
                             .where(ApiTokenRow.id == token_id,
                                    ApiTokenRow.revoked_at.is_(None))
                             .values(revoked_at=now))
            return bool(getattr(done, "rowcount", 0))

    @staticmethod
    def _token(s: Session, row: ApiTokenRow) -> ApiToken:
        login = s.scalar(select(UserRow.login).where(UserRow.id == row.user_id)) or "?"
        slugs: tuple[str, ...] | None = None
        if row.workspace_ids is not None:
            found = s.scalars(select(WorkspaceRow.slug)
                              .where(WorkspaceRow.id.in_(list(row.workspace_ids)))
                              .order_by(WorkspaceRow.slug))
            slugs = tuple(found)
        return ApiToken(id=row.id, user_id=row.user_id, login=login, name=row.name,
                        prefix=row.prefix, workspaces=slugs, read_only=row.read_only,
                        created_at=_utc(row.created_at) or row.created_at,
                        expires_at=_utc(row.expires_at), last_used_at=_utc(row.last_used_at),
                        revoked_at=_utc(row.revoked_at))

