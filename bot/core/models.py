"""Tables of the chat-ops application (on the knowledge base's metadata, so one Alembic history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.clock import utcnow
from knowledge.models import Base

__all__ = [
    "AnsweredMessage",
    "Base",
    "ChannelService",
    "EscalationRequest",
    "FeedbackVote",
    "KnowledgeGap",
    "SignedRequest",
]


class FeedbackVote(Base):
    """Helpful / not helpful on a card: one row per person and entry; voting again changes it."""

    __tablename__ = "feedback_votes"
    __table_args__ = (UniqueConstraint("user_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KnowledgeGap(Base):
    """A code people met that the knowledge base does not have: how often, since when."""

    __tablename__ = "knowledge_gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EscalationRequest(Base):
    """Someone pressed "Escalate now" on a card; the ticket machinery picks these up."""

    __tablename__ = "escalation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), index=True)
    service: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(100))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="requested")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnsweredMessage(Base):
    """A code the bot answered for one Slack message. The UNIQUE constraint is the lock: whoever
    inserts the row first replies, so retries, app_mention + message, and racing processes
    answer a message once, and an edit that adds a code gets a reply for that code only."""

    __tablename__ = "answered_messages"
    __table_args__ = (UniqueConstraint("channel_id", "message_ts", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    message_ts: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(64))
    thread_ts: Mapped[str] = mapped_column(String(32))
    # Who wrote the message: a user id, or a bot id for bots (the loop guard counts these).
    author: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SignedRequest(Base):
    """A signed Slack request that was acted on: the same request replayed within Slack's 5-minute
    window acts once (a replayed Resolve must not resolve a ticket reopened since)."""

    __tablename__ = "signed_requests"

    # sha256 of the request's timestamp and signature: they name the request, whatever its body.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class ChannelService(Base):
    """The service a channel is about, as an admin set it (`/hwerror channel service OCR`): the
    matcher's first hint for codes several services have (bot.core.channels)."""

    __tablename__ = "channel_services"
    __table_args__ = (UniqueConstraint("workspace", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(64))
    set_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
