from __future__ import annotations

from slack_bolt import App

from bot.slack.errors import answering_errors
from bot.slack.listeners.events.home import on_home_opened
from bot.slack.listeners.events.messages import on_message


def register(app: App) -> None:
    app.event("message")(answering_errors(on_message))
    app.event("app_mention")(answering_errors(on_message))
    app.event("app_home_opened")(answering_errors(on_home_opened))
