from __future__ import annotations

from slack_bolt import App

from bot.slack.blocks.ids import CallbackId
from bot.slack.errors import answering_errors
from bot.slack.listeners.shortcuts.explain import explain_message


def register(app: App) -> None:
    app.shortcut(CallbackId.SHORTCUT)(answering_errors(explain_message))
