"""The App Home tab: published afresh each time someone opens it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.service import BotService
from bot.slack.blocks.home import home_view, outside_home_view
from bot.slack.runtime.owe import Owed


def publish_home(user_id: str, owed: Owed, session: Session, service: BotService, actor: Actor) -> None:
    home = service.home(session, actor)
    view = home_view(home.digest, home.open_tickets, home.open_total) if home else outside_home_view()
    owed.call("views.publish", user_id, user_id=user_id, view=view)


def on_home_opened(
    event: dict[str, Any], owed: Owed, session: Session, service: BotService, actor: Actor
) -> None:
    if event.get("tab") == "home" and isinstance(event.get("user"), str):
        publish_home(event["user"], owed, session, service, actor)
