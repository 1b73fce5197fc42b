from __future__ import annotations

from slack_bolt import App

from bot.slack.errors import answering_errors
from bot.slack.listeners.events.home import on_home_opened


def register(app: App) -> None:
    # Messages and mentions are kept and answered by bot.slack.runtime (intake, then answers).
    app.event("app_home_opened")(answering_errors(on_home_opened))
