from __future__ import annotations

from slack_bolt import App

from bot.slack.blocks.card import NOTE_MODAL
from bot.slack.listeners.views.team_note import save_note


def register(app: App) -> None:
    app.view(NOTE_MODAL)(save_note)
