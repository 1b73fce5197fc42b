"""The `hwerror` command line (Typer). Each sub-module registers one group of commands."""

from __future__ import annotations

import typer

from bot.cli import clock, db, digest, incidents, kb, lookup, match, outbox, serve, shell

app = typer.Typer(
    name="hwerror",
    help="Explain Huawei Cloud error codes, remember every sighting, escalate the ones that recur.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(kb.app, name="kb")
lookup.register(app)
match.register(app)
incidents.register(app)
serve.register(app)
shell.register(app)
outbox.register(app)
digest.register(app)
clock.register(app)


def main() -> None:
    app()
