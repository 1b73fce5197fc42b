from __future__ import annotations

from slack_bolt import App

from bot.slack.blocks.ids import CallbackId
from bot.slack.errors import answering_errors
from bot.slack.listeners.views.handling import save_handling
from bot.slack.listeners.views.teach import save_lesson
from bot.slack.listeners.views.team_note import save_note


def register(app: App) -> None:
    app.view(CallbackId.NOTE_MODAL)(answering_errors(save_note))
    app.view(CallbackId.TEACH_MODAL)(answering_errors(save_lesson))
    app.view(CallbackId.HANDLING_MODAL)(answering_errors(save_handling))
