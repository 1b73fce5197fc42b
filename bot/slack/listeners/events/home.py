"""The App Home tab: published afresh each time someone opens it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.service import BotService
from bot.slack.blocks.home import home_view


def publish_home(user_id: str, client: WebClient, session: Session, service: BotService) -> None:
    home = service.home(session)
    client.views_publish(user_id=user_id, view=home_view(home.digest, home.open_tickets, home.open_total))


def on_home_opened(event: dict[str, Any], client: WebClient, session: Session, service: BotService) -> None:
    if event.get("tab") == "home" and event.get("user"):
        publish_home(event["user"], client, session, service)
