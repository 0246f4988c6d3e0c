"""The app tables of who may see and do what: workspace memberships and API tokens.

- ``memberships``: one row per (workspace, user) with the user's role there (a `Role` value).
  Deleted with the workspace or the user. A workspace always keeps at least one owner (the
  service refuses to remove or demote the last one).
- ``api_tokens``: a user's tokens for scripts. Only the sha256 of the 32-byte random secret is
  stored (``secret_hash``; the secret is shown once, when created), with the first characters
  of the secret (``prefix``) so people can tell their tokens apart. ``workspace_ids`` (a JSON
  list of workspace ids, null: every workspace the user may see) and ``read_only`` narrow
  what the token may do; ``expires_at`` (null: never), ``last_used_at`` and ``revoked_at``
  say when it stops working and when it last worked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base


class MembershipRow(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    user_id: Mapped[int] = ref("users", nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = timestamp()


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = id_pk()
    user_id: Mapped[int] = ref("users", nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    workspace_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    read_only: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_at: Mapped[datetime] = timestamp()
    expires_at: Mapped[datetime | None] = timestamp(nullable=True)
    last_used_at: Mapped[datetime | None] = timestamp(nullable=True)
    revoked_at: Mapped[datetime | None] = timestamp(nullable=True)
