"""channel_services: a channel's default service; entries.who_acts_override: who acts, as set by a person

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_services")),
        sa.UniqueConstraint("workspace", "channel", name=op.f("uq_channel_services_workspace_channel")),
    )
    # Batch mode: SQLite cannot add a column to a table other tables point at without it.
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("who_acts_override", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("who_acts_override")
    op.drop_table("channel_services")
