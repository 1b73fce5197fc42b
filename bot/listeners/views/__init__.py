from __future__ import annotations

from slack_bolt import App

from bot.listeners.views.team_note import save_note
from bot.messages import NOTE_MODAL


def register(app: App) -> None:
    app.view(NOTE_MODAL)(save_note)
