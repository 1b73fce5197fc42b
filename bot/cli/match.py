"""`hwerror match --jsonl`: the machine interface. Reads the knowledge base; writes nothing."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bot.cli.common import engine_for_cli, fail


def register(app: typer.Typer) -> None:
    @app.command("match")
    def match_command(
        jsonl: Annotated[bool, typer.Option("--jsonl", help="JSON lines in, JSON lines out.")] = False,
    ) -> None:
        """Match pasted text, as JSON lines.

        One line {"id", "text", "mode"} in, one line of findings out; writes nothing.
        """
        # Imported here so commands that never match do not pay for building rapidfuzz tables.
        from knowledge.db import session_factory
        from knowledge.matching.jsonl import run_jsonl
        from knowledge.matching.matcher import Matcher
        from knowledge.store import load_entries

        if not jsonl:
            fail("only the JSON-lines interface exists: hwerror match --jsonl < cases.jsonl", 2)
        with engine_for_cli() as engine, session_factory(engine)() as session:
            matcher = Matcher(load_entries(session))
        for line in run_jsonl(matcher, sys.stdin):
            sys.stdout.write(line + "\n")
        sys.stdout.flush()
