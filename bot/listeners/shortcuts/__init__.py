from __future__ import annotations

from slack_bolt import App

from bot.listeners.shortcuts.explain import explain_message
from bot.messages import SHORTCUT


def register(app: App) -> None:
    app.shortcut(SHORTCUT)(explain_message)
