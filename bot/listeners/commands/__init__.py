from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands.hwerror import hwerror_command

COMMAND = "/hwerror"


def register(app: App) -> None:
    app.command(COMMAND)(hwerror_command)
