"""How often each code was seen in the last 7 days and whether it has an open ticket, per process.

The remedy card shows both. Reading them per card would put two queries on every slash command's
path; instead each process reads them all in two grouped queries at most every `ttl` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.incidents.enums import TicketStatus
from bot.core.incidents.models import Incident, Ticket, ticket_ref
from knowledge.clock import utcnow

Key = tuple[str, str]  # (service, code)


class SeenCounts:
    def __init__(
        self, sessions: sessionmaker[Session], *, ttl: float = 30.0, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ttl = ttl
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._counts: dict[Key, int] = {}
        self._tickets: dict[Key, str] = {}

    def get(self, service: str, code: str, session: Session | None = None) -> tuple[int, str | None]:
        """`session`: read through the caller's (on SQLite a second session would wait for the
        caller's own write lock)."""
        self._refresh(session)
        key = (service, code)
        return self._counts.get(key, 0), self._tickets.get(key)

    def invalidate(self) -> None:
        """This process just recorded or escalated something: read afresh on the next card."""
        self._read_at = float("-inf")

    def _refresh(self, using: Session | None = None) -> None:
        if time.monotonic() - self._read_at < self._ttl:
            return
        if not self._lock.acquire(blocking=False):
            return  # another thread is reading; this card shows the previous figures
        try:
            since = self._clock() - timedelta(days=7)
            with nullcontext(using) if using is not None else self._sessions() as session:
                counts = session.execute(
                    select(Incident.service, Incident.code, func.count())
                    .where(Incident.created_at >= since, Incident.known.is_(True))
                    .group_by(Incident.service, Incident.code)
                ).all()
                tickets = session.execute(
                    select(Ticket.service, Ticket.code, Ticket.id).where(Ticket.status == TicketStatus.OPEN)
                ).all()
            self._counts = {(s, c): int(n) for s, c, n in counts}
            self._tickets = {(s, c): f"{ticket_ref(i)} open" for s, c, i in tickets}
            self._read_at = time.monotonic()
        finally:
            self._lock.release()
