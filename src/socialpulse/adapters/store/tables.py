"""SQLAlchemy tables of the app database (workspaces, brands, accounts, the ingest ledger).

Analytical rows (posts, snapshots, daily metrics, mentions) live in the Parquet lake; the app
database holds what is edited by people and the ledger that says which lake files are committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .columns import id_pk, ref, timestamp, workspace_ref


class Base(DeclarativeBase):
    pass


class WorkspaceRow(Base):
    __tablename__ = "workspaces"
    id: Mapped[int] = id_pk()
    slug: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = timestamp()


class BrandRow(Base):
    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    is_own: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class AccountRow(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "handle"),)
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    brand_id: Mapped[int | None] = ref("brands", ondelete="SET NULL", nullable=True)
    network: Mapped[str] = mapped_column(String(20), nullable=False)
    handle: Mapped[str] = mapped_column(String(200), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    url: Mapped[str] = mapped_column(Text, nullable=False, default="")
    function: Mapped[str] = mapped_column(String(40), nullable=False, default="marketing")
    created_at: Mapped[datetime] = timestamp()


class IngestBatchRow(Base):
    """One import into the lake. Only files of committed batches are ever read.

    A pending batch is owned by the process writing it (``owner``, until ``lease_until``); at
    most one pending batch per content (``ux_batches_pending``) is what makes two imports of the
    same file claim it once. Compacted and removed batches keep their files until a grace
    period after ``retired_at`` has passed, so queries that started before still find them.
    """

    __tablename__ = "ingest_batches"
    __table_args__ = (
        Index("ix_batches_ws_hash", "workspace_id", "content_hash"),
        Index("ux_batches_pending", "workspace_id", "content_hash", unique=True,
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    source: Mapped[str] = mapped_column(Text, nullable=False)
    format: Mapped[str] = mapped_column(String(40), nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # pending|committed|compacted|removed
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    rows: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False, default=dict)
    files: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = timestamp()
    committed_at: Mapped[datetime | None] = timestamp(nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = timestamp(nullable=True)
    retired_at: Mapped[datetime | None] = timestamp(nullable=True)
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
