"""The matcher over the current knowledge base, rebuilt only when the entries change.

Building the index costs milliseconds to a second; checking whether the knowledge base changed
(a count and the newest update time) costs one small query. Processes share nothing, so each
keeps its own copy and notices another process's import at the next check.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import Engine, func, select

from knowledge.db import session_factory
from knowledge.matching.matcher import Matcher
from knowledge.models import Entry
from knowledge.store import load_entries

Fingerprint = tuple[int, datetime | None]


class Catalogue:
    def __init__(self, engine: Engine, *, check_every: float = 5.0) -> None:
        self._engine = engine
        self._check_every = check_every
        self._lock = threading.Lock()
        self._matcher: Matcher | None = None
        self._fingerprint: Fingerprint | None = None
        self._checked_at = 0.0

    def with_engine(self, engine: Engine) -> Catalogue:
        """This catalogue's index over another engine: a forked worker's, whose engine is its own
        while the index built before the fork is shared with the other workers, not rebuilt."""
        twin = Catalogue(engine, check_every=self._check_every)
        twin._matcher, twin._fingerprint, twin._checked_at = (
            self._matcher,
            self._fingerprint,
            self._checked_at,
        )
        return twin

    def _current_fingerprint(self) -> Fingerprint:
        with self._engine.connect() as conn:
            count, newest = conn.execute(select(func.count(Entry.id), func.max(Entry.updated_at))).one()
        return int(count), newest

    def matcher(self) -> Matcher:
        now = time.monotonic()
        current = self._matcher
        if current is not None and now - self._checked_at < self._check_every:
            return current
        # While one thread checks (or rebuilds), the others keep answering with the matcher they
        # have; only the very first build makes anyone wait.
        if not self._lock.acquire(blocking=current is None):
            assert current is not None
            return current
        try:
            if self._matcher is not None and now - self._checked_at < self._check_every:
                return self._matcher
            fingerprint = self._current_fingerprint()
            if self._matcher is None or fingerprint != self._fingerprint:
                with session_factory(self._engine)() as session:
                    self._matcher = Matcher(load_entries(session))
                self._fingerprint = fingerprint
            self._checked_at = now
            return self._matcher
        finally:
            self._lock.release()
