"""The `hwerror` command line (Typer). Each sub-module registers one group of commands.

Start-up is kept cheap: the sub-modules import only Typer at module level, and each command
imports what it needs (SQLAlchemy, pydantic, Rich, the matcher, Slack, matplotlib) when it runs.
So `hwerror --help` costs Typer alone and `hwerror lookup` what a lookup needs.
`tests/test_cli_startup.py` keeps it that way.
"""

from __future__ import annotations

import typer

from bot.cli import channel, clock, db, digest, incidents, kb, lookup, match, outbox, serve, shell

app = typer.Typer(
    name="hwerror",
    help="Explain Huawei Cloud error codes, remember every sighting, escalate the ones that recur.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Click's plain help: flags without Typer's "<bool>" metavars, docstrings wrapped as
    # paragraphs at the terminal's width, and no Rich import for --help.
    rich_markup_mode=None,
)
app.add_typer(db.app, name="db")
channel.register(kb.app)
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
