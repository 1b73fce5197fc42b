from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.events.home import on_home_opened
from bot.slack.listeners.events.messages import on_message


def register(app: App) -> None:
    app.event("message")(on_message)
    app.event("app_mention")(on_message)
    app.event("app_home_opened")(on_home_opened)
