"""`hwerror chat`: the shell adapter."""

from __future__ import annotations

import contextlib
import getpass
import sys
from pathlib import Path

import typer

from bot.cli.common import app_settings_or_fail, console, engine_for_cli

HISTORY = Path.home() / ".hwerror_history"


def line_editing() -> None:
    """Arrow keys, Ctrl-R and a history kept across sessions, from the standard library's readline
    (input() uses it once it is imported). Only for a terminal: piped input is read as it is."""
    if not sys.stdin.isatty():
        return
    try:
        import atexit
        import readline
    except ImportError:  # Python built without readline (Windows): plain input() still works
        return
    readline.set_history_length(1000)
    with contextlib.suppress(OSError):  # no history yet, or a home we cannot read
        readline.read_history_file(HISTORY)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(HISTORY)

    atexit.register(save)


def run_shell() -> None:
    # Imported here, so that other commands do not pay for importing the bot.
    from bot.core.build import build_service
    from bot.shell.shell import Shell

    settings = app_settings_or_fail()
    with engine_for_cli() as engine:
        # One person at a terminal: counts always fresh, gaps written with the answer.
        service = build_service(engine, settings, seen_ttl=0, batch_gaps=False)
        line_editing()
        # input() rather than Console.input: readline must be given the prompt to redraw it.
        Shell(service, console=console, read=input, user=getpass.getuser()).run()


def register(app: typer.Typer) -> None:
    @app.command("chat")
    def chat_command() -> None:
        """Talk to the bot in the terminal (the shell).

        Type /hwerror QUERY, or paste an error and an empty line; /help lists the rest.
        """
        run_shell()
