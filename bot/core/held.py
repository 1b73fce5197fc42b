"""Lookups while the database is away: answered from the catalogue in memory, their sightings
held here (bounded) and recorded when it is back.

A slash command must be answered within Slack's three seconds whatever the database does, and a
lookup needs nothing the catalogue lacks but team notes and counts. So after a database failure
`Offline` sends lookups straight to the catalogue for a short while (no connect timeout to sit
through per command), and `HeldSightings` keeps up to `capacity` sightings of those lookups (the
oldest are dropped first, and counted in the log) until a pass of the answer workers records them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.actor import Actor
    from bot.core.incidents.record import Sighting
    from bot.core.pipeline import Reply

log = logging.getLogger("hwerror.held")

CAPACITY = 10_000  # sightings held while the database is away; beyond this the oldest go
OFFLINE_FOR = 5.0  # seconds lookups skip the database after it failed


@dataclass(frozen=True)
class Held:
    reply: Reply
    where: Sighting | None
    actor: Actor | None


class HeldSightings:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._items: deque[Held] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self.dropped = 0

    def hold(self, held: Held) -> None:
        with self._lock:
            if len(self._items) == self._items.maxlen:
                self.dropped += 1
                log.warning("held sightings full: the oldest was dropped (%s so far)", self.dropped)
            self._items.append(held)

    def take(self) -> list[Held]:
        with self._lock:
            items = list(self._items)
            self._items.clear()
            return items

    def give_back(self, items: list[Held]) -> None:
        with self._lock:
            self._items.extendleft(reversed(items))

    def __len__(self) -> int:
        return len(self._items)


class Offline:
    """Whether to skip the database for now, after it failed."""

    def __init__(self, seconds: float = OFFLINE_FOR) -> None:
        self.seconds = seconds
        self._until = 0.0

    def failed(self) -> None:
        self._until = time.monotonic() + self.seconds

    def __bool__(self) -> bool:
        return time.monotonic() < self._until
