"""`hwerror lookup QUERY`: what `/hwerror QUERY` answers, printed in the terminal.
`hwerror lookup --image FILE`: what the bot answers to that screenshot in a channel.

Like the slash command, an unknown code is counted as a knowledge gap; no incident is recorded
(there is no channel)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import app_settings_or_fail, console, engine_for_cli, fail


def register(app: typer.Typer) -> None:
    @app.command("lookup")
    def lookup_command(
        query: Annotated[
            list[str] | None, typer.Argument(help="A code (typos welcome), or words of an error.")
        ] = None,
        image: Annotated[
            Path | None, typer.Option("--image", help="A screenshot of an error (PNG, JPEG, WebP, GIF).")
        ] = None,
    ) -> None:
        """Look up an error as /hwerror does.

        Generous matching (typos, message text); prints the remedy card, with "did you mean"
        alternatives when the match is not sure.
        """
        # The matcher's imports are paid only by commands that match.
        from bot.core.build import build_service
        from bot.shell.render import any_panel

        text = " ".join(query or []).strip()
        if image is not None:
            if text:
                fail("give either words to look up or --image FILE, not both", 2)
            _image(image)
            return
        if not text:
            fail("give a code or an error message to look up", 2)
        settings = app_settings_or_fail()
        with engine_for_cli() as engine:
            service = build_service(engine, settings, seen_ttl=None, batch_gaps=False)
            with service.sessions() as session:
                reply = service.lookup(session, text)
                if reply.empty:
                    fail(f"no Huawei Cloud error code found in {text!r}")
                for n, card in enumerate(reply.cards, start=1):
                    console.print(any_panel(card, n if len(reply.cards) > 1 else None))
                if reply.more:
                    console.print("Also found: " + ", ".join(reply.more), highlight=False, markup=False)
                service.record(session, reply, None)


def _image(path: Path) -> None:
    """The screenshot read (OCR) and answered in paste mode, strictly; prints why when it cannot be."""
    from bot.core.build import build_service
    from bot.core.errors import UserError
    from bot.shell.render import any_panel

    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or type(exc).__name__}", 2)
    settings = app_settings_or_fail()
    with engine_for_cli() as engine:
        service = build_service(engine, settings, seen_ttl=None, batch_gaps=False)
        with service.sessions() as session:
            try:
                read = service.read_image(data)
            except UserError as exc:
                fail(str(exc))
            reply = service.explain(session, read.text, clear=read.clear)
            if reply.empty:
                fail(f"no Huawei Cloud error found in {path.name} (read from the screenshot)")
            console.print("Read from the screenshot:", highlight=False)
            for n, card in enumerate(reply.cards, start=1):
                console.print(any_panel(card, n if len(reply.cards) > 1 else None))
            if reply.more:
                console.print("Also found: " + ", ".join(reply.more), highlight=False, markup=False)
            service.record(session, reply, None)
