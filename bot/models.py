"""Tables of the chat-ops application (on the knowledge base's metadata, so one Alembic history)."""

from __future__ import annotations

from knowledge.models import Base  # noqa: F401  re-exported: every table shares one metadata
