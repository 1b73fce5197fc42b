"""`hwerror match --jsonl`: the machine interface. Reads the knowledge base; writes nothing."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import engine_for_cli, fail

if TYPE_CHECKING:
    from knowledge.matching.jsonl import Images
    from knowledge.matching.matcher import Matcher


def register(app: typer.Typer) -> None:
    @app.command("match")
    def match_command(
        jsonl: Annotated[bool, typer.Option("--jsonl", help="JSON lines in, JSON lines out.")] = False,
    ) -> None:
        """Match pasted text, as JSON lines.

        One line {"id", "text", "mode"} (or {"id", "image": PATH}) in, one line of findings out;
        writes nothing.
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
        for line in run_jsonl(matcher, sys.stdin, image_lines(matcher)):
            sys.stdout.write(line + "\n")
        sys.stdout.flush()


def image_lines(matcher: Matcher) -> Images:
    """`{"image": PATH}` lines: the file read as a screenshot, with the process's OCR settings."""
    from pathlib import Path

    from bot.cli.common import app_settings_or_fail
    from bot.core.ocr.reader import reader_from_settings

    reader = reader_from_settings(app_settings_or_fail().process, lambda: matcher.codes)

    def read(path: str) -> tuple[str, str]:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ValueError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
        got = reader.read(data)
        return got.text, got.clear

    return read
