"""signed requests acted on (replay protection)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signed_requests",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_signed_requests")),
    )
    op.create_index(op.f("ix_signed_requests_seen_at"), "signed_requests", ["seen_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_signed_requests_seen_at"), table_name="signed_requests")
    op.drop_table("signed_requests")
