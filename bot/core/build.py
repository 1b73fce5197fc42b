"""The one place the bot's core is put together (errbot's `setup_bot`): the Slack app, the shell
and `hwerror lookup` all get their service from `build_service`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.config import Settings
from bot.core.digest.config import DigestSettings
from bot.core.gaps import GapRecorder
from bot.core.incidents.config import EscalationSettings, TicketSettings
from bot.core.incidents.desk import IncidentDesk
from bot.core.incidents.seen import SeenCounts
from bot.core.ocr.reader import reader_from_settings
from bot.core.pipeline import Pipeline
from bot.core.service import BotService
from knowledge.catalogue import Catalogue
from knowledge.db import session_factory


@dataclass(frozen=True)
class AppSettings:
    """Every setting, read once at start-up; a bad value raises pydantic's ValidationError."""

    process: Settings
    escalation: EscalationSettings
    tickets: TicketSettings
    digest: DigestSettings

    @classmethod
    def from_env(cls) -> AppSettings:
        return cls(Settings(), EscalationSettings(), TicketSettings(), DigestSettings())


def build_service(
    engine: Engine,
    settings: AppSettings,
    *,
    catalogue: Catalogue | None = None,
    seen_ttl: float | None = 30.0,
    batch_gaps: bool = True,
) -> BotService:
    """`seen_ttl`: how stale a card's "seen in 7 days" may be (0 in the shell: always fresh;
    None: cards say nothing of it).
    `batch_gaps`: count knowledge gaps in memory and write them behind the answer (a server),
    rather than in the answer's own transaction (a one-person terminal)."""
    sessions = session_factory(engine)
    catalogue = catalogue or Catalogue(engine)
    seen = SeenCounts(sessions, ttl=seen_ttl) if seen_ttl is not None else None
    gaps = GapRecorder(sessions) if batch_gaps else None
    pipeline = Pipeline(catalogue.matcher, gaps=gaps, seen=seen)
    desk = IncidentDesk(settings.escalation, settings.tickets, seen)
    images = reader_from_settings(settings.process, lambda: catalogue.matcher().codes)
    return BotService(sessions, pipeline, desk, settings.digest, images)
