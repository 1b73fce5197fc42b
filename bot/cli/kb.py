"""`hwerror kb …`: import (pages, directories, URLs, exports), list, show, services, export, add, edit.

Each command imports what it needs when it runs: `hwerror --help` pays for Typer alone.
"""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import app_settings_or_fail, console, engine_for_cli, err_console, fail

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from bot.core.actor import Actor
    from bot.core.cards import RemedyCard
    from bot.core.service import BotService
    from knowledge.types import WhoActs

app = typer.Typer(help="The knowledge base of error codes.", no_args_is_help=True, rich_markup_mode=None)

PAGE_SUFFIXES = (".txt", ".html", ".htm", ".rst", ".md", ".markdown")


def _actor() -> str:
    return f"import:{getpass.getuser()}"


def _pages(source: str) -> list[str]:
    """The pages SOURCE names: a URL, a file, or every page file of a directory (sorted)."""
    from knowledge.importer.load import is_url

    if is_url(source):
        return [source]
    path = Path(source)
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
        if not found:
            fail(f"{source} holds no page files ({', '.join(PAGE_SUFFIXES)})")
        return found
    return [source]


def _import_export(engine: Engine, source: str) -> None:
    from rich.markup import escape

    from knowledge.db import transaction
    from knowledge.exchange import BadExport, import_lines

    try:
        with open(source, encoding="utf-8") as f, transaction(engine) as session:
            reports = import_lines(session, f, name=source, actor=_actor())
    except (BadExport, OSError, UnicodeDecodeError) as exc:
        fail(f"nothing imported: {exc}")
    for service, report in reports.items():
        console.print(
            f"{escape(service)}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged"
        )


@app.command("import")
def import_command(
    source: Annotated[
        str,
        typer.Argument(
            help="A page (text, HTML, RST, Markdown), a directory of pages, "
            "an http(s) URL, or a `kb export` file (.jsonl)."
        ),
    ],
    service: Annotated[
        str | None, typer.Option("--service", help="The service: OCR, content-moderation, …")
    ] = None,
    doc_url: Annotated[str | None, typer.Option("--doc-url", help="Link shown on the cards.")] = None,
) -> None:
    """Import 'Error Codes' pages.

    A page, a directory of pages, an http(s) URL or a kb export file; one transaction per page, and
    team notes are never overwritten. An export file needs no --service: its lines name theirs.
    """
    from rich.markup import escape

    from knowledge.db import transaction
    from knowledge.importer.load import import_page, is_url
    from knowledge.importer.rows import NotAnErrorPage
    from knowledge.services import normalise_service

    if doc_url is not None and not re.match(r"^https?://\S+$", doc_url):
        fail(f"--doc-url {doc_url!r} must be an http(s) URL")
    with engine_for_cli() as engine:
        if source.endswith(".jsonl") and not is_url(source):
            _import_export(engine, source)
            return
        if not service or not normalise_service(service):
            fail("--service is required: the service the page documents (e.g. OCR, content-moderation)")
        slug = normalise_service(service)
        failed = 0
        for page in _pages(source):
            try:
                with transaction(engine) as session:
                    report = import_page(session, page, service=slug, doc_url=doc_url, actor=_actor())
            except (NotAnErrorPage, OSError) as exc:
                if page == source:
                    fail(f"nothing imported: {escape(str(exc))}")
                failed += 1
                err_console.print(
                    f"[bold red]error:[/bold red] {escape(page)}: nothing imported: {escape(str(exc))}",
                    highlight=False,
                )
                continue
            name = f"{escape(slug)}" + (f" ({escape(page)})" if page != source else "")
            console.print(
                f"{name}: {report.added} added, {report.updated} updated, "
                f"{report.unchanged} unchanged, {len(report.skipped)} skipped",
                highlight=False,
            )
            for skipped in report.skipped:
                console.print(f"  skipped {escape(skipped.where)}: {escape(skipped.reason)}", highlight=False)
        if failed:
            raise typer.Exit(1)


@app.command("services")
def services_command() -> None:
    """List the services.

    Each with its name, entries, codes and where they came from.
    """
    from sqlalchemy import distinct, func, select

    from bot.shell.render_kb import services_table
    from knowledge.db import session_factory
    from knowledge.models import Entry, Service
    from knowledge.services import display_name

    with engine_for_cli() as engine, session_factory(engine)() as session:
        rows = session.execute(
            select(Entry.service, func.count(Entry.id), func.count(distinct(Entry.code))).group_by(
                Entry.service
            )
        ).all()
        sources = {s.slug: s for s in session.scalars(select(Service))}
        if not rows:
            fail("the knowledge base is empty: run hwerror db upgrade or hwerror kb import")
        console.print(services_table([
            (slug, sources[slug].display_name if slug in sources else display_name(slug), n, codes,
             sources[slug].source if slug in sources else None)
            for slug, n, codes in sorted(rows)
        ]))  # fmt: skip


@app.command("export")
def export_command(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")
    ] = None,
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
) -> None:
    """Export the knowledge base.

    Entries and team notes as JSON lines that kb import reads back unchanged.
    """
    from rich.markup import escape

    from knowledge.db import session_factory
    from knowledge.exchange import export_lines
    from knowledge.services import normalise_service

    with engine_for_cli() as engine, session_factory(engine)() as session:
        lines = export_lines(session, normalise_service(service) if service else None)
        if out is None:
            for line in lines:
                sys.stdout.write(line + "\n")
            return
        tmp = out.with_name(out.name + ".part")
        with open(tmp, "w", encoding="utf-8") as f:
            n = sum(1 for line in lines if f.write(line + "\n"))
        tmp.replace(out)  # a reader never sees half an export
    console.print(f"{n} entries written to {escape(str(out))}")


def _cli_actor() -> Actor:
    from bot.core.actor import Actor

    return Actor.shell(getpass.getuser())


@app.command("add")
def add_command(
    code: Annotated[str, typer.Argument(help="The error code, e.g. OCR.0001.")],
    service: Annotated[str, typer.Option("--service", help="The service: OCR, content-moderation, …")],
    message: Annotated[str, typer.Option("--message", help="The error message the service returns.")],
    description: Annotated[str, typer.Option("--description")] = "",
    handling: Annotated[str, typer.Option("--handling", help="What to do about it.")] = "",
    doc_url: Annotated[str | None, typer.Option("--doc-url")] = None,
    status: Annotated[int | None, typer.Option("--status", help="The HTTP status.")] = None,
    who_acts: Annotated[str | None, typer.Option("--who-acts", help=WHO_ACTS_HELP)] = None,
) -> None:
    """Add a code the knowledge base lacks.

    Audited; every process sees it within seconds.
    """
    from bot.core.teach import Lesson

    who = _who_acts(who_acts) if who_acts is not None else None
    lesson = Lesson(service, code, message, description, handling, doc_url, status, who)
    _run_service(lambda svc, session: svc.teach(session, _cli_actor(), lesson))


WHO_ACTS_HELP = (
    "Who acts: caller, huawei_support or account_billing (customer, huawei, billing for short); "
    "auto reads it from the handling text, as when it is not given."
)


def _who_acts(text: str) -> WhoActs | None:
    from knowledge.types import WhoActs

    try:
        return WhoActs.parse(text)
    except ValueError as exc:
        fail(str(exc))


@app.command("edit")
def edit_command(
    code: Annotated[str, typer.Argument(help="The exact error code.")],
    handling: Annotated[str | None, typer.Option("--handling", help="The new handling text.")] = None,
    who_acts: Annotated[str | None, typer.Option("--who-acts", help=WHO_ACTS_HELP)] = None,
    service: Annotated[str | None, typer.Option("--service", help="Which service's entry.")] = None,
    variant: Annotated[int, typer.Option("--variant", help="Which variant (kb show lists them).")] = 0,
) -> None:
    """Change an entry's handling or who acts (audited)."""
    if handling is None and who_acts is None:
        fail("give --handling, --who-acts or both")
    who = _who_acts(who_acts) if who_acts is not None else "keep"
    from knowledge.db import session_factory
    from knowledge.services import normalise_service
    from knowledge.store import find_entries

    with engine_for_cli() as engine, session_factory(engine)() as session:
        slug = normalise_service(service) if service else None
        found = [e for e in find_entries(session, code.strip(), slug) if e.variant == variant]
    if not found:
        fail(f"{code!r} (variant {variant}) is not in the knowledge base")
    if len({e.service for e in found}) > 1:
        fail(
            f"{code} is in several services ({', '.join(sorted({e.service for e in found}))}): give --service"
        )
    key = (found[0].service, found[0].code, variant)
    _run_service(lambda svc, session: svc.edit(session, key, _cli_actor(), handling=handling, who_acts=who))


def _run_service(act: Callable[[BotService, Session], RemedyCard]) -> None:
    from bot.core.build import build_service
    from bot.core.errors import UserError
    from bot.shell.render import card_panel

    settings = app_settings_or_fail()
    with engine_for_cli() as engine:
        svc = build_service(engine, settings, seen_ttl=None, batch_gaps=False)
        with svc.sessions() as session:
            try:
                card = act(svc, session)
            except UserError as exc:
                fail(str(exc))
    console.print(card_panel(card))


@app.command("list")
def list_command(
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
) -> None:
    """List the entries of the knowledge base."""
    from sqlalchemy import select

    from bot.shell.render import entries_table
    from knowledge.db import session_factory
    from knowledge.models import Entry
    from knowledge.services import normalise_service

    with engine_for_cli() as engine, session_factory(engine)() as session:
        query = select(Entry).order_by(Entry.service, Entry.code, Entry.variant)
        if service:
            query = query.where(Entry.service == normalise_service(service))
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
    from knowledge.services import normalise_service
    from knowledge.store import find_entries

    with engine_for_cli() as engine, session_factory(engine)() as session:
        entries = find_entries(session, code.strip(), normalise_service(service) if service else None)
        if not entries:
            fail(f"{code!r} is not in the knowledge base (try: hwerror lookup {code})")
        session.scalars(
            select(Entry).where(Entry.id.in_([e.id for e in entries])).options(selectinload(Entry.notes))
        ).all()
        for entry in entries:
            console.print(card_panel(RemedyCard.from_entry(entry), all_notes=True))
