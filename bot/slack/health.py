"""`GET /healthz`: 200 while the database answers, 503 within HWERROR_HEALTH_TIMEOUT when it does not.

A partitioned database does not refuse connections: they hang, and so does a query on a pooled
connection whose server went silent (no client-side read timeout exists in the drivers). The
engine's connect and statement timeouts bound that to seconds; a load balancer wants its answer
sooner. So the check runs on a thread of its own and the request waits at most the health timeout.
At most one check is in flight: while one hangs, later requests wait on it rather than start more.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from sqlalchemy import Engine, text

log = logging.getLogger("hwerror.health")

DEFAULT_TIMEOUT = 0.8  # seconds: inside the 1 s a probe allows, with room for the HTTP round trip
HEALTHY: dict[str, object] = {"ok": True}
UNAVAILABLE: dict[str, object] = {"ok": False, "database": "unavailable"}
STARTING: dict[str, object] = {"ok": False, "status": "starting"}


def health_timeout() -> float:
    value = os.environ.get("HWERROR_HEALTH_TIMEOUT", "").strip()
    return float(value) if value else DEFAULT_TIMEOUT


class HealthCheck:
    def __init__(self, engine: Engine, *, timeout: float | None = None) -> None:
        self.engine = engine
        self.timeout = health_timeout() if timeout is None else timeout
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hwerror-health")
        self._lock = threading.Lock()
        self._running: Future[None] | None = None

    def _probe(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def check(self) -> tuple[bool, dict[str, object]]:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = self._pool.submit(self._probe)
            running = self._running
        try:
            running.result(timeout=self.timeout)
        except FutureTimeout:
            log.warning("health check: database did not answer within %.1fs", self.timeout)
            return False, UNAVAILABLE
        except Exception as exc:  # noqa: BLE001 - any database failure makes the process unhealthy
            log.warning("health check: database unavailable: %s", type(exc).__name__)
            return False, UNAVAILABLE
        return True, HEALTHY
