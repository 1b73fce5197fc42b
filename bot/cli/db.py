"""`hwerror db …`: the schema and the bundled knowledge."""

from __future__ import annotations

import typer

from bot.cli.common import console, engine_for_cli
from knowledge.bundled import load_bundled
from knowledge.db import transaction
from knowledge.schema import upgrade as apply_migrations

app = typer.Typer(help="Database schema and bundled knowledge.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Apply the migrations and load the bundled knowledge (running it twice changes nothing)."""
    with engine_for_cli(need_schema=False) as engine:
        apply_migrations(engine)
        with transaction(engine) as session:
            reports = load_bundled(session)
    for service, report in reports.items():
        kept = f" ({report.kept} kept as the team left them)" if report.kept else ""
        console.print(
            f"{service}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged{kept}"
        )
    console.print("database is up to date")
