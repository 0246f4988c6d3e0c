"""Single sign-on links: which provider account (issuer, subject) is which user.

The `OidcLinks` port of `services/ports.py`. Users themselves are the identity tables'
(`identity_tables.UserRow`); a user may have a password, links, or both.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .columns import id_pk, ref, timestamp
from .core import StoreCore
from .identity_tables import UserRow
from .tables import Base


class OidcIdentityRow(Base):
    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)
    id: Mapped[int] = id_pk()
    issuer: Mapped[str] = mapped_column(String(300), nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    user_id: Mapped[int] = ref("users", nullable=False, index=True)
    created_at: Mapped[datetime] = timestamp()


class OidcLinksRepo:
    def __init__(self, store: StoreCore) -> None:
        self.store = store

    def user_for(self, issuer: str, subject: str) -> int | None:
        with self.store.session() as s:
            return s.scalar(select(OidcIdentityRow.user_id).where(
                OidcIdentityRow.issuer == issuer, OidcIdentityRow.subject == subject))

    def user_with_email(self, email: str) -> int | None:
        """The one user with this e-mail (any case); None when none or several have it."""
        with self.store.session() as s:
            ids = s.scalars(select(UserRow.id).where(
                func.lower(UserRow.email) == email.strip().lower())).all()
        return ids[0] if len(ids) == 1 else None

    def login_taken(self, login: str) -> bool:
        with self.store.session() as s:
            return s.scalar(select(UserRow.id).where(UserRow.login == login)) is not None

    def link(self, issuer: str, subject: str, user_id: int) -> int:
        """Link the provider account to the user; if another sign-in linked it a moment
        before, theirs stands (the user it names is returned)."""
        try:
            with self.store.session() as s:
                s.add(OidcIdentityRow(issuer=issuer, subject=subject, user_id=user_id,
                                      created_at=datetime.now(UTC)))
        except IntegrityError:
            found = self.user_for(issuer, subject)
            if found is None:
                raise
            return found
        return user_id
