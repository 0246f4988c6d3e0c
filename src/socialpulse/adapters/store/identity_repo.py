"""The `IdentityStore` port over the app database (SQLite or PostgreSQL).

Every method is one short transaction. Times are UTC and given by the caller (the service
owns the clock). A one-time link is used by one conditional UPDATE (``used_at IS NULL AND
expires_at > now``), so two requests racing with the same link cannot both succeed, whichever
server process they reach.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from socialpulse.domain.errors import Conflict
from socialpulse.domain.identity import LinkPurpose, StoredLink, StoredSession, User

from . import Store
from .identity_tables import OneTimeLinkRow, SigninFailureRow, UserRow, UserSessionRow


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _user(r: UserRow) -> User:
    return User(id=r.id, login=r.login, name=r.name, email=r.email, disabled=r.disabled,
                site_admin=r.site_admin, has_password=r.password_hash is not None,
                created_at=_utc(r.created_at),
                password_changed_at=_utc(r.password_changed_at) if r.password_changed_at
                else None)


class IdentityRepo:
    """Users, sessions, sign-in failures and one-time links."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- users --------------------------------------------------------------------------------

    def has_users(self) -> bool:
        with self.store.session() as s:
            return s.execute(select(UserRow.id).limit(1)).first() is not None

    def add_user(self, login: str, name: str, email: str | None, password_hash: str | None,
                 site_admin: bool, now: datetime) -> User:
        row = UserRow(login=login, name=name, email=email, password_hash=password_hash,
                      disabled=False, site_admin=site_admin, created_at=_utc(now),
                      password_changed_at=_utc(now) if password_hash else None)
        try:
            with self.store.session() as s:
                s.add(row)
                s.flush()
                return _user(row)
        except IntegrityError:
            raise Conflict(f"login: a user {login!r} already exists") from None

    def user(self, user_id: int) -> User | None:
        with self.store.session() as s:
            row = s.get(UserRow, user_id)
            return _user(row) if row is not None else None

    def user_by_login(self, login: str) -> User | None:
        with self.store.session() as s:
            row = s.execute(select(UserRow).where(UserRow.login == login)).scalar_one_or_none()
            return _user(row) if row is not None else None

    def users(self) -> list[User]:
        with self.store.session() as s:
            return [_user(r) for r in s.execute(select(UserRow).order_by(UserRow.login))
                    .scalars()]

    def password_hash(self, user_id: int) -> str | None:
        with self.store.session() as s:
            return s.execute(select(UserRow.password_hash).where(UserRow.id == user_id)
                             ).scalar_one_or_none()

    def set_password_hash(self, user_id: int, encoded: str,
                          changed_at: datetime | None) -> None:
        """A new hash; ``changed_at`` None: the same password rehashed (parameters changed)."""
        values: dict[str, object] = {"password_hash": encoded}
        if changed_at is not None:
            values["password_changed_at"] = _utc(changed_at)
        with self.store.session() as s:
            s.execute(update(UserRow).where(UserRow.id == user_id).values(**values))

    def set_disabled(self, user_id: int, disabled: bool) -> None:
        with self.store.session() as s:
            s.execute(update(UserRow).where(UserRow.id == user_id).values(disabled=disabled))

    # --- sessions -----------------------------------------------------------------------------

    def add_session(self, user_id: int, secret_hash: str, now: datetime) -> None:
        with self.store.session() as s:
            s.add(UserSessionRow(user_id=user_id, secret_hash=secret_hash,
                                 created_at=_utc(now), last_seen_at=_utc(now)))

    def session(self, secret_hash: str) -> StoredSession | None:
        with self.store.session() as s:
            row = s.execute(select(UserSessionRow).where(
                UserSessionRow.secret_hash == secret_hash)).scalar_one_or_none()
            if row is None:
                return None
            return StoredSession(row.id, row.user_id, _utc(row.created_at),
                                 _utc(row.last_seen_at))

    def touch_session(self, session_id: int, now: datetime) -> None:
        with self.store.session() as s:
            s.execute(update(UserSessionRow).where(UserSessionRow.id == session_id)
                      .values(last_seen_at=_utc(now)))

    def delete_session(self, secret_hash: str) -> None:
        with self.store.session() as s:
            s.execute(delete(UserSessionRow).where(UserSessionRow.secret_hash == secret_hash))

    def delete_sessions(self, user_id: int, keep: str | None = None) -> int:
        """Delete the user's sessions (but the one whose hash is ``keep``); how many."""
        stmt = delete(UserSessionRow).where(UserSessionRow.user_id == user_id)
        if keep is not None:
            stmt = stmt.where(UserSessionRow.secret_hash != keep)
        with self.store.session() as s:
            return int(s.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]

    # --- sign-in failures ---------------------------------------------------------------------

    def add_failure(self, login: str, address: str, now: datetime,
                    forget_before: datetime) -> None:
        """Record a failure, and forget those too old to count (the table stays small)."""
        with self.store.session() as s:
            s.execute(delete(SigninFailureRow).where(SigninFailureRow.at < _utc(forget_before)))
            s.add(SigninFailureRow(login=login[:100], address=address[:64], at=_utc(now)))

    def failures(self, login: str, address: str, since: datetime) -> tuple[int, int]:
        """Failures after ``since``: (for this login, from this address)."""
        recent = SigninFailureRow.at > _utc(since)
        with self.store.session() as s:
            by_login = s.execute(select(func.count()).where(
                SigninFailureRow.login == login[:100], recent)).scalar_one()
            by_address = s.execute(select(func.count()).where(
                SigninFailureRow.address == address[:64], recent)).scalar_one()
        return int(by_login), int(by_address)

    def clear_failures(self, login: str) -> None:
        with self.store.session() as s:
            s.execute(delete(SigninFailureRow).where(SigninFailureRow.login == login[:100]))

    # --- one-time links -----------------------------------------------------------------------

    def add_link(self, purpose: LinkPurpose, user_id: int | None, token_hash: str,
                 now: datetime, expires_at: datetime) -> None:
        with self.store.session() as s:
            s.add(OneTimeLinkRow(purpose=purpose.value, user_id=user_id, token_hash=token_hash,
                                 created_at=_utc(now), expires_at=_utc(expires_at)))

    def link(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> StoredLink | None:
        """The link if it still works (unused, unexpired, of that purpose)."""
        with self.store.session() as s:
            row = s.execute(select(OneTimeLinkRow).where(
                OneTimeLinkRow.token_hash == token_hash,
                OneTimeLinkRow.purpose == purpose.value,
                OneTimeLinkRow.used_at.is_(None),
                OneTimeLinkRow.expires_at > _utc(now))).scalar_one_or_none()
            if row is None:
                return None
            return StoredLink(purpose, row.user_id, _utc(row.expires_at))

    def use_link(self, token_hash: str, purpose: LinkPurpose, now: datetime) -> bool:
        """Mark the link used; False when it was not usable (used, expired, unknown)."""
        with self.store.session() as s:
            done = s.execute(update(OneTimeLinkRow).where(
                OneTimeLinkRow.token_hash == token_hash,
                OneTimeLinkRow.purpose == purpose.value,
                OneTimeLinkRow.used_at.is_(None),
                OneTimeLinkRow.expires_at > _utc(now)).values(used_at=_utc(now)))
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]
