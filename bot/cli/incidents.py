"""`hwerror incidents list`, `hwerror tickets list|resolve`: the incident log from a terminal."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import app_settings_or_fail, console, engine_for_cli, fail

if TYPE_CHECKING:
    from rich.table import Table

incidents_app = typer.Typer(help="The incident log.", no_args_is_help=True, rich_markup_mode=None)
tickets_app = typer.Typer(
    help="Tickets opened for recurring codes.", no_args_is_help=True, rich_markup_mode=None
)


def _table(*columns: str) -> Table:
    from rich.table import Table

    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


@incidents_app.command("list")
def list_incidents(
    code: Annotated[str | None, typer.Option("--code", help="Only this code.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
) -> None:
    """The newest incidents, newest first."""
    from rich.markup import escape
    from sqlalchemy import func, select

    from bot.core.incidents.models import Incident, ticket_ref
    from knowledge.db import session_factory

    with engine_for_cli() as engine, session_factory(engine)() as session:
        query = select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit)
        if code:
            query = query.where(func.upper(Incident.code) == code.strip().upper())
        rows = list(session.scalars(query))
    table = _table("When (UTC)", "Code", "Service", "Channel", "How", "Ticket", "Excerpt")
    for i in rows:
        table.add_row(
            f"{i.created_at:%Y-%m-%d %H:%M}",
            escape(i.code) + ("" if i.known else " (unknown)"),
            escape(i.service or "-"),
            escape(i.channel),
            f"{i.how} {i.confidence:.2f}",
            ticket_ref(i.ticket_id) if i.ticket_id else "",
            escape(i.excerpt[:80].replace("\n", " ")),
        )
    console.print(table)
    console.print(f"{len(rows)} incidents")


@tickets_app.command("list")
def list_tickets(
    all_: Annotated[bool, typer.Option("--all", help="Resolved tickets too.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="How many, newest first.")] = 50,
) -> None:
    """Open tickets (or all of them), newest first."""
    from rich.markup import escape

    from bot.core.incidents.enums import TicketStatus
    from bot.core.incidents.tickets import count_tickets, summaries
    from knowledge.db import session_factory

    with engine_for_cli() as engine, session_factory(engine)() as session:
        status = None if all_ else TicketStatus.OPEN
        rows = summaries(session, status=status, limit=limit)
        total = count_tickets(session, status=status)
    table = _table(
        "Ticket", "Status", "Code", "Service", "Incidents", "Channels", "Last seen", "External", "Why"
    )
    for s in rows:
        t = s.ticket
        table.add_row(
            t.ref,
            t.status + (f" (reopened {t.times_reopened}x)" if t.times_reopened else ""),
            escape(t.code),
            escape(t.service),
            str(s.incidents),
            str(s.channels),
            f"{s.last_seen:%Y-%m-%d %H:%M}" if s.last_seen else "",
            escape(t.external_url or t.external_id or ""),
            escape(t.reason),
        )
    console.print(table)
    what = "tickets" if all_ else "open tickets"
    if total > len(rows):
        console.print(
            f"{len(rows)} of {total} {what}, newest first (--limit {total} for all)", highlight=False
        )
    else:
        console.print(f"{total} {what}", highlight=False)


@tickets_app.command("resolve")
def resolve(ticket: Annotated[str, typer.Argument(help="The ticket, e.g. HW-12.")]) -> None:
    """Mark a ticket resolved.

    If the code comes back, the ticket reopens.
    """
    from rich.markup import escape

    from bot.core.actor import Actor
    from bot.core.build import build_service
    from bot.core.errors import TicketNotFound
    from bot.core.incidents.tickets import parse_ticket_ref

    if parse_ticket_ref(ticket) is None:
        fail(f"{ticket!r} is not a ticket reference such as HW-12")
    who = f"cli:{getpass.getuser()}"
    settings = app_settings_or_fail()
    with engine_for_cli() as engine:
        service = build_service(engine, settings, seen_ttl=None, batch_gaps=False)
        try:
            with service.sessions() as session:
                resolved = service.resolve(session, ticket, Actor(user_id=who, team_id=None, name=who))
        except TicketNotFound as exc:
            fail(str(exc))
    console.print(f"{resolved.ref} ({escape(resolved.code)}) is resolved")


def register(app: typer.Typer) -> None:
    app.add_typer(incidents_app, name="incidents")
    app.add_typer(tickets_app, name="tickets")
