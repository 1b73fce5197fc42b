"""Knowledge gaps written behind the answer: counted in memory, flushed about once a second.

An unknown code costs the person nothing (the card is already sent) and costs the database one
UPDATE per distinct code per second per process instead of one transaction per sighting. The
counts are flushed at exit too; a process that is killed loses at most the last second's counts.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from collections.abc import Iterable

from sqlalchemy.orm import Session, sessionmaker

from bot.core.store import record_gap

log = logging.getLogger("hwerror.gaps")


class GapRecorder:
    def __init__(self, sessions: sessionmaker[Session], *, interval: float = 1.0) -> None:
        self._sessions = sessions
        self._interval = interval
        self._pending: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, codes: Iterable[str]) -> None:
        with self._lock:
            self._pending.update(codes)
            if self._thread is None:  # started lazily: after a fork, in the process that uses it
                self._thread = threading.Thread(target=self._run, name="hwerror-gaps", daemon=True)
                self._thread.start()
                atexit.register(self.flush)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return
        try:
            with self._sessions() as session:
                for code, times in pending.items():
                    record_gap(session, code, times)
                session.commit()
        except Exception:  # noqa: BLE001 - keep the counts for the next try rather than lose them
            log.exception("could not record knowledge gaps; will retry")
            with self._lock:
                self._pending.update(pending)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self.flush()
