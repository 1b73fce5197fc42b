"""Pacing per lane (a method and a channel), the way Slack's rate limits ask for it.

`chat.postMessage` allows about one message per second per channel (short bursts pass, sustained
ones are answered 429): a sender that keeps to that is never slowed by retries. This is the pace
within one process, between the calls of one item (the parts of a long reply); between items and
processes the lane's hold in `outbox_lanes` keeps it (and a 429's Retry-After).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping


class Pacer:
    def __init__(
        self,
        intervals: Mapping[str, float],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.intervals = dict(intervals)  # method → seconds between two calls in one lane
        self.clock = clock
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def ready_in(self, lane: str) -> float:
        """Seconds until the lane may be used again (0: now)."""
        with self._lock:
            return max(0.0, self._next.get(lane, 0.0) - self.clock())

    def interval(self, lane: str) -> float:
        """Seconds between two calls in this lane."""
        return self.intervals.get(lane.split(":", 1)[0], 0.0)

    def used(self, lane: str) -> None:
        gap = self.interval(lane)
        if gap <= 0:
            return
        with self._lock:
            self._next[lane] = max(self._next.get(lane, 0.0), self.clock() + gap)
            if len(self._next) > 10_000:  # forget lanes long free
                now = self.clock()
                self._next = {k: t for k, t in self._next.items() if t > now}

    def wait(self, lane: str, stop: threading.Event) -> bool:
        """Sleep until the lane is free; False when asked to stop meanwhile."""
        while True:
            left = self.ready_in(lane)
            if left <= 0:
                return True
            if stop.wait(left):
                return False
