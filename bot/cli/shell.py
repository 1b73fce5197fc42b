"""`hwerror chat`: the shell adapter."""

from __future__ import annotations

import getpass

import typer

from bot.cli.common import app_settings_or_fail, console, engine_for_cli


def run_shell() -> None:
    # Imported here, so that other commands do not pay for importing the bot.
    from bot.core.build import build_service
    from bot.shell.shell import Shell

    settings = app_settings_or_fail()
    with engine_for_cli() as engine:
        # One person at a terminal: counts always fresh, gaps written with the answer.
        service = build_service(engine, settings, seen_ttl=0, batch_gaps=False)
        Shell(service, console=console, read=console.input, user=getpass.getuser()).run()


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat_command() -> None:
        """Talk to the bot in the terminal (the shell).

        Type /hwerror QUERY, or paste an error and an empty line; /help lists the rest.
        """
        run_shell()
