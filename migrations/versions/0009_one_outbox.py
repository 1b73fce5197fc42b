"""one outbox: chat messages and kept requests beside ticket calls

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="ticket"))
        batch.add_column(sa.Column("lane", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("action", existing_type=sa.String(length=16), type_=sa.String(length=32))
        batch.create_index("ix_outbox_kind_due", ["kind", "status", "next_attempt_at"])
    op.create_table(
        "outbox_lanes",
        sa.Column("lane", sa.String(length=100), nullable=False),
        sa.Column("free_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("lane", name=op.f("pk_outbox_lanes")),
    )


def downgrade() -> None:
    op.drop_table("outbox_lanes")
    op.execute("DELETE FROM outbox WHERE kind <> 'ticket'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_kind_due")
        batch.alter_column("action", existing_type=sa.String(length=32), type_=sa.String(length=16))
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("deadline")
        batch.drop_column("lane")
        batch.drop_column("kind")
