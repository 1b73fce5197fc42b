"""`hwerror chat`: the shell adapter."""

from __future__ import annotations

import getpass

import typer

from bot.cli.common import console, engine_for_cli


def run_shell() -> None:
    from bot.shell.shell import Shell  # here, so that other commands do not pay for importing the bot

    with engine_for_cli() as engine:
        Shell(engine, console=console, read=console.input, user=getpass.getuser()).run()


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat_command() -> None:
        """Talk to the bot in the terminal: /hwerror QUERY, or paste an error and an empty line."""
        run_shell()
