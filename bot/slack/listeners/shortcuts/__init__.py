from __future__ import annotations

from slack_bolt import App

from bot.slack.blocks.card import SHORTCUT
from bot.slack.listeners.shortcuts.explain import explain_message


def register(app: App) -> None:
    app.shortcut(SHORTCUT)(explain_message)
