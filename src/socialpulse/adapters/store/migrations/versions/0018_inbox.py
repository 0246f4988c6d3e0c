"""The unified inbox: conversations, messages, tags, notes and per-workspace settings (SLA,
round-robin position), with the indexes the inbox's filters and keyset pages read.

Revision ID: 0018_inbox
Revises: 0007_jobs
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0018_inbox"
down_revision = "0007_jobs"
branch_labels = None
depends_on = None


def _conversation_ref(primary_key: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("conversation_id", sa.Integer,
                     sa.ForeignKey("inbox_conversations.id", ondelete="CASCADE"),
                     nullable=False, primary_key=primary_key)


def upgrade() -> None:
    op.create_table(
        "inbox_conversations",
        col.id_column(),
        col.workspace_column(),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("root_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("preview", sa.String(280), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("sentiment", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(200), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        col.timestamp_column("claimed_at", nullable=True),
        col.timestamp_column("first_message_at"),
        col.timestamp_column("last_message_at"),
        col.timestamp_column("first_response_at", nullable=True),
        sa.Column("responder", sa.String(200), nullable=True),
        sa.Column("answered_elsewhere", sa.Boolean, nullable=False),
        col.timestamp_column("closed_at", nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.UniqueConstraint("workspace_id", "network", "account", "root_id"),
    )
    op.create_index("ix_inbox_conv_recent", "inbox_conversations",
                    ["workspace_id", "last_message_at", "id"])
    op.create_index("ix_inbox_conv_status", "inbox_conversations",
                    ["workspace_id", "status", "last_message_at", "id"])
    op.create_index("ix_inbox_conv_assignee", "inbox_conversations",
                    ["workspace_id", "assignee", "last_message_at", "id"])
    op.create_table(
        "inbox_messages",
        col.id_column(),
        col.workspace_column(),
        _conversation_ref(),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("in_reply_to", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("author_followers", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("sentiment", sa.String(20), nullable=False),
        sa.Column("ours", sa.Boolean, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        col.timestamp_column("created_at"),
        sa.UniqueConstraint("workspace_id", "network", "account", "external_id"),
    )
    op.create_index("ix_inbox_msg_conversation", "inbox_messages",
                    ["conversation_id", "created_at"])
    op.create_table(
        "inbox_tags",
        _conversation_ref(primary_key=True),
        sa.Column("tag", sa.String(40), primary_key=True),
    )
    op.create_index("ix_inbox_tags_tag", "inbox_tags", ["tag", "conversation_id"])
    op.create_table(
        "inbox_notes",
        col.id_column(),
        _conversation_ref(),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        col.timestamp_column("created_at"),
    )
    op.create_index("ix_inbox_notes_conversation_id", "inbox_notes", ["conversation_id"])
    op.create_table(
        "inbox_settings",
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("sla_minutes", sa.Integer, nullable=True),
        sa.Column("sla_hours", sa.Text, nullable=False),
        sa.Column("holidays", sa.Text, nullable=False),
        sa.Column("round_robin_last", sa.String(200), nullable=True),
    )


def downgrade() -> None:
    for table in ("inbox_settings", "inbox_notes", "inbox_tags", "inbox_messages",
                  "inbox_conversations"):
        op.drop_table(table)
