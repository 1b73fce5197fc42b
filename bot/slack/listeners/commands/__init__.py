from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners.commands.hwerror import hwerror_command

COMMAND = "/hwerror"


def register(app: App) -> None:
    app.command(COMMAND)(hwerror_command)
