"""The app tables of publishing: posts, their per-network variants, and the outbox's sends.

A post row holds the workflow (status, author, approver's comment) and the schedule as the
person gave it (local wall time and IANA zone) beside the UTC instant it means, so a zone's
rules changing later can be noticed and the calendar shows what was asked. A send row is one
(post, network) delivery: its status, tries, the job that owns it, the schedule generation it
belongs to (a re-approved post gets new jobs; the old ones see a stale generation and stop)
and what the network answered (platform id, link, error).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .columns import id_pk, ref, timestamp, workspace_ref
from .tables import Base


class PublishPostRow(Base):
    __tablename__ = "publish_posts"
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref(index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    campaign: Mapped[str] = mapped_column(String(200), nullable=False)
    goal: Mapped[str] = mapped_column(String(200), nullable=False)
    scheduled_local: Mapped[str | None] = mapped_column(String(20), nullable=True)
    zone: Mapped[str] = mapped_column(String(64), nullable=False)
    scheduled_at: Mapped[datetime | None] = timestamp(nullable=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = timestamp()
    updated_at: Mapped[datetime] = timestamp()


class PublishVariantRow(Base):
    __tablename__ = "publish_variants"
    __table_args__ = (UniqueConstraint("post_id", "network"),)
    id: Mapped[int] = id_pk()
    post_id: Mapped[int] = ref("publish_posts", nullable=False)
    network: Mapped[str] = mapped_column(String(20), nullable=False)
    connection_id: Mapped[int] = ref("connections", nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    links: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of URLs
    media: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of {name, size, alt}


class PublishSendRow(Base):
    __tablename__ = "publish_sends"
    __table_args__ = (UniqueConstraint("post_id", "network"),)
    id: Mapped[int] = id_pk()
    post_id: Mapped[int] = ref("publish_posts", nullable=False)
    network: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    generation: Mapped[int] = mapped_column(Integer, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    platform_id: Mapped[str] = mapped_column(String(300), nullable=False)
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    error: Mapped[str] = mapped_column(Text, nullable=False)
    sent_at: Mapped[datetime | None] = timestamp(nullable=True)
    updated_at: Mapped[datetime] = timestamp()
