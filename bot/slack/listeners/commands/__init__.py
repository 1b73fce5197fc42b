from __future__ import annotations

from slack_bolt import App

from bot.slack.blocks.ids import COMMAND
from bot.slack.errors import answering_errors
from bot.slack.listeners.commands.hwerror import hwerror_command


def register(app: App) -> None:
    app.command(COMMAND)(answering_errors(hwerror_command))
