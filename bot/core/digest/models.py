"""Which digests were posted: the claim that makes "once per week and channel" hold across processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.clock import utcnow
from knowledge.models import Base


class DigestPost(Base):
    __tablename__ = "digest_posts"
    __table_args__ = (UniqueConstraint("channel", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    week: Mapped[str] = mapped_column(String(10))  # 2026-W47
    status: Mapped[str] = mapped_column(String(16), default="posting")  # posting, posted, failed
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
