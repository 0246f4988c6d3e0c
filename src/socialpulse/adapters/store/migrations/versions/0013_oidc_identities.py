"""Single sign-on: provider accounts (issuer, subject) linked to users.

Revision ID: 0013_oidc_identities
Revises: 0008_identity
"""

import sqlalchemy as sa
from alembic import op

from socialpulse.adapters.store import columns as col

revision = "0013_oidc_identities"
down_revision = "0008_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_identities",
        col.id_column(),
        sa.Column("issuer", sa.String(300), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        col.ref_column("user_id", "users", nullable=False, index=True),
        col.timestamp_column("created_at"),
        sa.UniqueConstraint("issuer", "subject"),
    )


def downgrade() -> None:
    op.drop_table("oidc_identities")
