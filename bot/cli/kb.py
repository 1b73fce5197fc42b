"""`hwerror kb …`: import, list and show knowledge-base entries."""

from __future__ import annotations

import getpass
import re
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import console, engine_for_cli, fail

app = typer.Typer(help="The knowledge base of error codes.", no_args_is_help=True, rich_markup_mode=None)

_SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="An 'Error Codes' page: plain text, HTML or RST.")],
    service: Annotated[str, typer.Option("--service", help="Service slug, e.g. content-moderation.")],
    doc_url: Annotated[str | None, typer.Option("--doc-url", help="Link shown on the cards.")] = None,
) -> None:
    """Import an 'Error Codes' page.

    Adds and updates its rows; team notes are never overwritten.
    """
    from rich.markup import escape

    from knowledge.db import transaction
    from knowledge.importer.load import import_page
    from knowledge.importer.rows import NotAnErrorPage

    if not _SERVICE_RE.match(service):
        fail(f"--service {service!r} must be a lower-case slug such as 'api-gateway'")
    if doc_url is not None and not re.match(r"^https?://\S+$", doc_url):
        fail(f"--doc-url {doc_url!r} must be an http(s) URL")
    with engine_for_cli() as engine:
        try:
            with transaction(engine) as session:
                report = import_page(
                    session, path, service=service, doc_url=doc_url, actor=f"import:{getpass.getuser()}"
                )
        except NotAnErrorPage as exc:
            fail(f"nothing imported: {exc}")
    console.print(
        f"{escape(service)}: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped"
    )
    for skipped in report.skipped:
        console.print(f"  skipped {escape(skipped.where)}: {escape(skipped.reason)}", highlight=False)


@app.command("list")
def list_command(
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
) -> None:
    """List the entries of the knowledge base."""
    from sqlalchemy import func, select

    from bot.shell.render import entries_table
    from knowledge.db import session_factory
    from knowledge.models import Entry

    with engine_for_cli() as engine, session_factory(engine)() as session:
        query = select(Entry).order_by(Entry.service, Entry.code, Entry.variant)
        if service:
            query = query.where(func.lower(Entry.service) == service.strip().lower())
        entries = list(session.scalars(query))
        if not entries:
            services = session.scalars(select(Entry.service).distinct().order_by(Entry.service)).all()
            if service and services:
                fail(f"there is no service {service!r}; the services are: {', '.join(services)}")
            fail(
                f"no entries{f' for service {service!r}' if service else ''}: "
                "run hwerror db upgrade or hwerror kb import"
            )
        console.print(entries_table(entries))
        console.print(f"{len(entries)} entries")


@app.command("show")
def show_command(
    code: Annotated[str, typer.Argument(help="The exact error code, e.g. AIS.0027.")],
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
) -> None:
    """Show every entry for one exact code.

    All services and variants, with their team notes.
    """
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from bot.core.cards import RemedyCard
    from bot.shell.render import card_panel
    from knowledge.db import session_factory
    from knowledge.models import Entry
    from knowledge.store import find_entries

    with engine_for_cli() as engine, session_factory(engine)() as session:
        entries = find_entries(session, code.strip(), service)
        if not entries:
            fail(f"{code!r} is not in the knowledge base (try: hwerror lookup {code})")
        session.scalars(
            select(Entry).where(Entry.id.in_([e.id for e in entries])).options(selectinload(Entry.notes))
        ).all()
        for entry in entries:
            console.print(card_panel(RemedyCard.from_entry(entry), all_notes=True))
