"""The knowledge base's tables (SQLAlchemy 2.0 typed ORM). Alembic migrations own the schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from knowledge.clock import utcnow
from knowledge.types import EntryData, WhoActs

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Entry(Base):
    """One error code of one service; `variant` tells apart rows that share a code (APIG.0201)."""

    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("service", "code", "variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64), index=True)
    variant: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    handling: Mapped[str] = mapped_column(Text)
    doc_url: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(200))
    # Who acts, in effect: the override when a person set one, else read from the handling text.
    who_acts: Mapped[str] = mapped_column(String(32), default=WhoActs.CALLER.value)
    who_acts_override: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    notes: Mapped[list[TeamNote]] = relationship(
        back_populates="entry", order_by="TeamNote.created_at", cascade="all, delete-orphan"
    )

    def to_data(self) -> EntryData:
        return EntryData(
            service=self.service,
            code=self.code,
            variant=self.variant,
            status=self.status,
            message=self.message,
            description=self.description,
            handling=self.handling,
            doc_url=self.doc_url,
            category=self.category,
            who_acts_override=WhoActs(self.who_acts_override) if self.who_acts_override else None,
        )


class TeamNote(Base):
    """What the team learnt about an entry, added from Slack or the CLI; never touched by imports."""

    __tablename__ = "team_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="notes")


class AuditEvent(Base):
    """Every change to the knowledge base: who, when, what, and the fields before and after."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Service(Base):
    """A service of the knowledge base: its name for people, where its codes came from last, and
    (for the bundled page) the hash of the file that was loaded, so `db upgrade` loads it again
    only when the file changed."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(500))
    bundled_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
