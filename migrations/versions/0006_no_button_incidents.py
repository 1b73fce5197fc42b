"""escalate-now presses are not incidents

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

"Escalate now" used to record an incident (source "button") beside the sighting it escalated, so
one paste and one press counted twice in stats, the digest, cards and the thresholds. The press is
kept in `escalation_requests`; the duplicate rows go.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    incidents = sa.table("incidents", sa.column("source", sa.String(16)))
    op.execute(incidents.delete().where(incidents.c.source == "button"))


def downgrade() -> None:
    # The deleted rows were copies of what escalation_requests keeps; nothing to restore.
    pass
