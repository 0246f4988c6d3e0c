"""The inbox's tables: conversations (the care team's state), their messages, tags and notes,
and each workspace's service level and round-robin position.

A conversation copies the few fields the inbox filters on (network, account, language,
sentiment, status, assignee) from its messages, so the default view and every filter are one
indexed range scan of ``inbox_conversations`` ordered by (last_message_at, id) (keyset pages),
never a join over a million messages.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .columns import id_pk, timestamp, workspace_ref
from .tables import Base


class ConversationRow(Base):
    __tablename__ = "inbox_conversations"
    __table_args__ = (
        UniqueConstraint("workspace_id", "network", "account", "root_id"),
        Index("ix_inbox_conv_recent", "workspace_id", "last_message_at", "id"),
        Index("ix_inbox_conv_status", "workspace_id", "status", "last_message_at", "id"),
        Index("ix_inbox_conv_assignee", "workspace_id", "assignee", "last_message_at", "id"),
    )
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    network: Mapped[str] = mapped_column(String(20), nullable=False)
    account: Mapped[str] = mapped_column(String(200), nullable=False)
    root_id: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    preview: Mapped[str] = mapped_column(String(280), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    language: Mapped[str] = mapped_column(String(20), nullable=False)
    sentiment: Mapped[str] = mapped_column(String(20), nullable=False)
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_at: Mapped[datetime | None] = timestamp(nullable=True)
    first_message_at: Mapped[datetime] = timestamp()
    last_message_at: Mapped[datetime] = timestamp()
    first_response_at: Mapped[datetime | None] = timestamp(nullable=True)
    responder: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answered_elsewhere: Mapped[bool] = mapped_column(Boolean, nullable=False)
    closed_at: Mapped[datetime | None] = timestamp(nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class MessageRow(Base):
    __tablename__ = "inbox_messages"
    __table_args__ = (
        UniqueConstraint("workspace_id", "network", "account", "external_id"),
        Index("ix_inbox_msg_conversation", "conversation_id", "created_at"),
    )
    id: Mapped[int] = id_pk()
    workspace_id: Mapped[int] = workspace_ref()
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="CASCADE"), nullable=False)
    network: Mapped[str] = mapped_column(String(20), nullable=False)
    account: Mapped[str] = mapped_column(String(200), nullable=False)
    external_id: Mapped[str] = mapped_column(String(200), nullable=False)
    in_reply_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    author_followers: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    language: Mapped[str] = mapped_column(String(20), nullable=False)
    sentiment: Mapped[str] = mapped_column(String(20), nullable=False)
    ours: Mapped[bool] = mapped_column(Boolean, nullable=False)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = timestamp()


class TagRow(Base):
    __tablename__ = "inbox_tags"
    __table_args__ = (Index("ix_inbox_tags_tag", "tag", "conversation_id"),)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)


class NoteRow(Base):
    __tablename__ = "inbox_notes"
    id: Mapped[int] = id_pk()
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="CASCADE"), nullable=False, index=True)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = timestamp()


class InboxSettingsRow(Base):
    __tablename__ = "inbox_settings"
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    sla_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sla_hours: Mapped[str] = mapped_column(Text, nullable=False)
    holidays: Mapped[str] = mapped_column(Text, nullable=False)
    round_robin_last: Mapped[str | None] = mapped_column(String(200), nullable=True)
