from __future__ import annotations

import re

from slack_bolt import App

from bot.listeners.events.messages import on_message
from bot.listeners.events.unhandled import acknowledge


def register(app: App) -> None:
    app.event("message")(on_message)
    app.event("app_mention")(on_message)
    # Last: every other event we are sent gets its 200 (Slack turns off subscriptions that fail).
    app.event(re.compile(".*"))(acknowledge)
