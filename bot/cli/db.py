"""`hwerror db …`: the schema and the bundled knowledge."""

from __future__ import annotations

import typer

from bot.cli.common import console, engine_for_cli

app = typer.Typer(help="Database schema and bundled knowledge.", no_args_is_help=True, rich_markup_mode=None)


@app.command("upgrade")
def upgrade_command() -> None:
    """Migrate the database and load the bundled codes.

    Running it twice changes nothing.
    """
    from knowledge.bundled import load_bundled
    from knowledge.db import transaction
    from knowledge.schema import upgrade as apply_migrations

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
