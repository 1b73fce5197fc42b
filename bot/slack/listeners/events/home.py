"""The App Home tab: published afresh each time someone opens it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.digest.compute import build_digest
from bot.core.digest.config import DigestSettings
from bot.core.digest.weeks import Week
from bot.core.incidents.enums import TicketStatus
from bot.core.incidents.tickets import summaries
from bot.slack.blocks.team import home_view
from knowledge.clock import utcnow


def publish_home(user_id: str, client: WebClient, session: Session) -> None:
    settings = DigestSettings()
    digest = build_digest(session, Week.containing(utcnow(), settings.tz))
    client.views_publish(user_id=user_id, view=home_view(digest, summaries(session, status=TicketStatus.OPEN)))


def on_home_opened(event: dict[str, Any], client: WebClient, session: Session) -> None:
    if event.get("tab") == "home" and event.get("user"):
        publish_home(event["user"], client, session)
