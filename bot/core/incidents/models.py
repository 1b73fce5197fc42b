"""Incidents, tickets and the outbox of everything the bot owes (ticket calls, chat messages, answers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.incidents.enums import OutboxKind, TicketStatus
from knowledge.clock import utcnow
from knowledge.models import Base


class Incident(Base):
    """One code found in one message. A message delivered twice is still one incident."""

    __tablename__ = "incidents"
    __table_args__ = (
        # The same message (a Slack retry, app_mention plus message) is one incident per code:
        # the database refuses the second insert, whichever process makes it.
        UniqueConstraint("workspace", "channel", "message_key", "code"),
        # The escalation check: one code's recent incidents and their channels, read from the
        # index alone (channel is last so the range on created_at still narrows the scan).
        Index("ix_incidents_code_recent", "workspace", "service", "code", "created_at", "channel"),
        # The digest and stats: a week's incidents grouped by code or channel, from the index alone.
        Index("ix_incidents_created_at", "created_at", "service", "code", "known", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    # The message's ts for pastes and shortcuts; "cmd:<trigger id>" for slash commands and
    # "shell:<uuid>" in the shell adapter, which have no message of their own.
    message_key: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(64))  # "" when the code is not in the knowledge base
    code: Mapped[str] = mapped_column(String(64))
    variant: Mapped[int | None] = mapped_column(Integer)
    known: Mapped[bool]
    how: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    request_id: Mapped[str | None] = mapped_column(String(128))
    excerpt: Mapped[str] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def ticket_ref(ticket_id: int) -> str:
    """How people, cards and commands name a ticket: HW-12."""
    return f"HW-{ticket_id}"


class Ticket(Base):
    """The ticket of one (workspace, service, code). There is never a second one: a code that
    comes back after its ticket was resolved reopens the same ticket, so "exactly one open
    ticket" is a plain unique constraint. Counts and channels are read from its incidents, not
    stored here, so concurrent attaches cannot lose an update."""

    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("workspace", "service", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.OPEN, index=True)
    reason: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(200))
    external_url: Mapped[str | None] = mapped_column(String(500))
    times_reopened: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(64))

    @property
    def ref(self) -> str:
        return ticket_ref(self.id)


class TicketEvent(Base):
    """What happened to a ticket, and when: opened, attached, resolved, reopened."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class OutboxLane(Base):
    """When a lane (a chat method and channel) may be used again, whichever process uses it:
    pacing and Retry-After that hold across processes, and for items queued after the hold."""

    __tablename__ = "outbox_lanes"

    lane: Mapped[str] = mapped_column(String(100), primary_key=True)
    free_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxItem(Base):
    """Something the bot owes that must happen at least once and take effect at most once: a call
    to a ticket backend, a message to post in the chat, or a kept request still to be answered.
    `kind` says which (OutboxKind); `lane` is what a sender paces by (a chat method and channel)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_kind_due", "kind", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=OutboxKind.TICKET, server_default="ticket")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    backend: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))  # create, comment, resolve, reopen; chat.postMessage, …
    lane: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, done, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # After this an undelivered item is dead, however few attempts it had (a reply hours late helps
    # nobody); None: only `max_attempts` ends it.
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
