"""The app table of connected accounts (`connections`): one row per account a workspace syncs.

A row holds where the account is (network, server, handle), whether it is the workspace's own
(signed in) or public data, its credentials *encrypted* (`adapters/secrets.py`; never the
clear value) with a short fingerprint to show instead, and the sync's bookkeeping: the cursor
(newest post synced), last and next sync, the last error, consecutive sign-in failures, the
quota the network last reported, and the sync lease (owner, expiry, and the observation time
of a sync in progress, so a sync retried after a crash writes the same batch again).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base


class ConnectionRow(Base):
    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "handle"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    account_id: Mapped[int] = ref("accounts", nullable=False)
    network: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    handle: Mapped[str] = mapped_column(String(200), nullable=False)
    server: Mapped[str] = mapped_column(String(300), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    secret_fingerprint: Mapped[str] = mapped_column(String(32), nullable=False)
    cursor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_sync_at: Mapped[datetime | None] = timestamp(nullable=True)
    next_sync_at: Mapped[datetime | None] = timestamp(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    auth_failures: Mapped[int] = mapped_column(Integer, nullable=False)
    quota_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quota_remaining: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quota_reset_at: Mapped[datetime | None] = timestamp(nullable=True)
    synced_posts: Mapped[int] = mapped_column(Integer, nullable=False)
    sync_owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sync_until: Mapped[datetime | None] = timestamp(nullable=True)
    sync_observed_at: Mapped[datetime | None] = timestamp(nullable=True)
    created_at: Mapped[datetime] = timestamp()
    updated_at: Mapped[datetime] = timestamp()
