"""The `clock` process's digest half: the weekly digest on its schedule (the outbox runs beside it)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.core.digest.config import DigestSettings
from bot.core.digest.post import DigestPublisher, PublishFailed, post_digest
from knowledge.clock import utcnow

log = logging.getLogger(__name__)


class DigestClock:
    """Posts the week that just ended once its local posting time has passed. Every process may
    run one: the claim in the database lets exactly one of them post."""

    def __init__(self, engine: Engine, publisher: DigestPublisher, settings: DigestSettings) -> None:
        self.engine = engine
        self.publisher = publisher
        self.schedule = settings.schedule
        self.tz = settings.tz

    def tick(self, now: datetime | None = None) -> str | None:
        week = self.schedule.due(now or utcnow(), self.tz)
        if week is None:
            return None
        try:
            return post_digest(self.engine, self.publisher, week, now=now)
        except PublishFailed as exc:
            log.error("digest %s not posted: %s", week.label, exc)
        except DBAPIError as exc:
            log.error(
                "digest %s not posted, database trouble: %s",
                week.label,
                str(getattr(exc, "orig", exc)).splitlines()[0][:300],
            )
        return None

    def run_forever(self, stop: threading.Event, interval: float = 60.0) -> None:
        while not stop.is_set():
            ts = self.tick()
            if ts:
                log.warning("posted the weekly digest to %s", self.publisher.channel)
            stop.wait(interval)
