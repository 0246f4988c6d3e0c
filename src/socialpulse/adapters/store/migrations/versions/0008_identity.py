"""Identity: users, server-side sessions, sign-in failures (throttling), one-time links.

Revision ID: 0008_identity
Revises: 0007_jobs
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0008_identity"
down_revision = "0007_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        col.id_column(),
        sa.Column("login", sa.String(100), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("site_admin", sa.Boolean, nullable=False),
        col.timestamp_column("created_at"),
        col.timestamp_column("password_changed_at", nullable=True),
    )
    op.create_table(
        "user_sessions",
        col.id_column(),
        col.ref_column("user_id", "users", nullable=False, index=True),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        col.timestamp_column("created_at"),
        col.timestamp_column("last_seen_at"),
    )
    op.create_table(
        "signin_failures",
        col.id_column(),
        sa.Column("login", sa.String(100), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        col.timestamp_column("at"),
    )
    op.create_index("ix_signin_failures_login_at", "signin_failures", ["login", "at"])
    op.create_index("ix_signin_failures_address_at", "signin_failures", ["address", "at"])
    op.create_table(
        "one_time_links",
        col.id_column(),
        sa.Column("purpose", sa.String(20), nullable=False),
        col.ref_column("user_id", "users", nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        col.timestamp_column("created_at"),
        col.timestamp_column("expires_at"),
        col.timestamp_column("used_at", nullable=True),
    )


def downgrade() -> None:
    op.drop_table("one_time_links")
    op.drop_index("ix_signin_failures_address_at", table_name="signin_failures")
    op.drop_index("ix_signin_failures_login_at", table_name="signin_failures")
    op.drop_table("signin_failures")
    op.drop_table("user_sessions")
    op.drop_table("users")
