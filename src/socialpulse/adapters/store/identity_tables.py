"""The app tables of people who sign in: users, their sessions, sign-in failures, one-time links.

- ``users``: one row per person. ``login`` is unique and stored lowercase; ``password_hash`` is
  an argon2id string (null for a user who only signs in through OIDC); ``site_admin`` marks the
  server's owner (may create workspaces and manage users; the first user is one).
- ``user_sessions``: server-side sessions. The cookie holds a random 32-byte secret; only its
  sha256 is stored, so a copy of the database signs nobody in. Idle and absolute expiry are
  checked against ``last_seen_at`` and ``created_at``.
- ``signin_failures``: one row per failed sign-in (login tried, client address, when), so every
  server process counts the same failures when it throttles.
- ``one_time_links``: owner creation and password reset links, stored as sha256 of their token,
  with an expiry and the time they were used (a link works once).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .columns import id_pk, ref, timestamp
from .tables import Base


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = id_pk()
    login: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    site_admin: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_at: Mapped[datetime] = timestamp()
    password_changed_at: Mapped[datetime | None] = timestamp(nullable=True)


class UserSessionRow(Base):
    __tablename__ = "user_sessions"
    id: Mapped[int] = id_pk()
    user_id: Mapped[int] = ref("users", nullable=False, index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = timestamp()
    last_seen_at: Mapped[datetime] = timestamp()


class SigninFailureRow(Base):
    __tablename__ = "signin_failures"
    __table_args__ = (
        Index("ix_signin_failures_login_at", "login", "at"),
        Index("ix_signin_failures_address_at", "address", "at"),
    )
    id: Mapped[int] = id_pk()
    login: Mapped[str] = mapped_column(String(100), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = timestamp()


class OneTimeLinkRow(Base):
    __tablename__ = "one_time_links"
    id: Mapped[int] = id_pk()
    purpose: Mapped[str] = mapped_column(String(20), nullable=False)
    user_id: Mapped[int | None] = ref("users", nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = timestamp()
    expires_at: Mapped[datetime] = timestamp()
    used_at: Mapped[datetime | None] = timestamp(nullable=True)
