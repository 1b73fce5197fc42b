"""`hwerror lookup QUERY`: one remedy card in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cards import RemedyCard
from bot.cli.common import console, engine_for_cli, fail
from bot.terminal import card_panel
from knowledge.db import session_factory
from knowledge.store import find_entries


def register(app: typer.Typer) -> None:
    @app.command("lookup")
    def lookup_command(
        query: Annotated[list[str], typer.Argument(help="A code, or words of an error.")],
    ) -> None:
        """Look up an error code and print its remedy card."""
        text = " ".join(query).strip()
        if not text:
            fail("give a code or an error message to look up")
        with engine_for_cli() as engine, session_factory(engine)() as session:
            entries = find_entries(session, text)
            if not entries:
                fail(f"{text!r} is not in the knowledge base")
            for entry in entries:
                console.print(card_panel(RemedyCard.from_entry(entry)))
