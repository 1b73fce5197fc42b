"""The knowledge base's cards, kept in each process: a lookup does not touch the database.

Entries and team notes change rarely (an import, a note); every lookup reads them. So, like the
matcher (knowledge.catalogue), each process keeps the cards it has shown and checks at most every
`check_every` seconds whether entries or notes changed (one small query); a change empties the
cache. A note saved in this process empties it at once; another process's note shows within
`check_every` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.core.cards import RemedyCard
from knowledge.models import Entry, TeamNote

Key = tuple[str, str, int]
Fingerprint = tuple[int, datetime | None, int, int | None]


class CardCache:
    def __init__(self, *, check_every: float = 2.0) -> None:
        self._check_every = check_every
        self._lock = threading.Lock()
        self._checking = threading.Lock()
        self._cards: dict[Key, RemedyCard] = {}
        self._fingerprint: Fingerprint | None = None
        self._checked_at = float("-inf")

    def cards(self, session: Session, keys: Sequence[Key]) -> dict[Key, RemedyCard]:
        """The cards of these entries (missing keys: entries that no longer exist)."""
        if not keys:
            return {}
        self._check(session)
        found = {k: c for k in keys if (c := self._cards.get(k)) is not None}
        missing = [k for k in keys if k not in found]
        if missing:
            loaded = {k: RemedyCard.from_entry(e) for k, e in load_entries(session, missing).items()}
            with self._lock:
                self._cards.update(loaded)
            found.update(loaded)
        return found

    def invalidate(self) -> None:
        with self._lock:
            self._cards.clear()
            self._checked_at = float("-inf")

    def _check(self, session: Session) -> None:
        now = time.monotonic()
        if now - self._checked_at < self._check_every:
            return
        # One thread checks; the others go on with the cards they have rather than queue behind
        # a query (on SQLite it may wait for another process's write).
        if not self._checking.acquire(blocking=False):
            return
        try:
            if now - self._checked_at < self._check_every:
                return
            fingerprint = _fingerprint(session)
            with self._lock:
                if fingerprint != self._fingerprint:
                    self._cards.clear()
                    self._fingerprint = fingerprint
                self._checked_at = now
        finally:
            self._checking.release()


def _fingerprint(session: Session) -> Fingerprint:
    entries = select(func.count(Entry.id), func.max(Entry.updated_at))
    notes = select(func.count(TeamNote.id), func.max(TeamNote.id))
    e_count, e_newest = session.execute(entries).one()
    n_count, n_newest = session.execute(notes).one()
    session.commit()
    return int(e_count), e_newest, int(n_count), n_newest


def load_entries(session: Session, keys: Sequence[Key]) -> dict[Key, Entry]:
    """The entries (with their notes) for these keys, in one query plus one for the notes."""
    if not keys:
        return {}
    query = (
        select(Entry)
        .where(or_(*(and_(Entry.service == s, Entry.code == c, Entry.variant == v) for s, c, v in keys)))
        .options(selectinload(Entry.notes))
    )
    entries = {(e.service, e.code, e.variant): e for e in session.scalars(query)}
    session.commit()
    return entries
