"""Reading and resolving tickets (opening them is escalation's job, in record.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.core.errors import TicketNotFound
from bot.core.incidents.enums import TicketEventAction, TicketStatus
from bot.core.incidents.models import Incident, Ticket, TicketEvent, ticket_ref
from bot.core.incidents.outbox.queue import enqueue_resolve
from knowledge.clock import utcnow


@dataclass(frozen=True)
class TicketSummary:
    ticket: Ticket
    incidents: int
    channels: int
    first_seen: datetime | None
    last_seen: datetime | None


def parse_ticket_ref(text: str) -> int | None:
    """Accept what people type: `12`, `#12`, `HW-12`."""
    t = text.strip().lstrip("#").upper().removeprefix("HW-")
    return int(t) if t.isdigit() and len(t) < 10 else None


def summaries(
    session: Session,
    *,
    status: TicketStatus | None = TicketStatus.OPEN,
    limit: int = 50,
    workspace: str | None = None,
) -> list[TicketSummary]:
    """`workspace`: only that workspace's tickets (None: every workspace, the CLI)."""
    stats = (
        select(
            Incident.ticket_id,
            func.count(Incident.id).label("n"),
            func.count(func.distinct(Incident.channel)).label("channels"),
            func.min(Incident.created_at).label("first"),
            func.max(Incident.created_at).label("last"),
        )
        .where(Incident.ticket_id.is_not(None))
        .group_by(Incident.ticket_id)
        .subquery()
    )
    query = (
        select(Ticket, stats.c.n, stats.c.channels, stats.c.first, stats.c.last)
        .outerjoin(stats, stats.c.ticket_id == Ticket.id)
        .order_by(Ticket.opened_at.desc())
        .limit(limit)
    )
    if status:
        query = query.where(Ticket.status == status)
    if workspace is not None:
        query = query.where(Ticket.workspace == workspace)
    return [
        TicketSummary(t, int(n or 0), int(c or 0), first, last)
        for t, n, c, first, last in session.execute(query)
    ]


def count_tickets(
    session: Session, *, status: TicketStatus | None = TicketStatus.OPEN, workspace: str | None = None
) -> int:
    """How many there are, however many a list shows."""
    query = select(func.count()).select_from(Ticket)
    if status:
        query = query.where(Ticket.status == status)
    if workspace is not None:
        query = query.where(Ticket.workspace == workspace)
    return int(session.scalar(query) or 0)


def resolve_ticket(
    session: Session, ticket_id: int, actor: str, *, now: datetime | None = None, workspace: str | None = None
) -> Ticket:
    """Resolve an open ticket. Resolving twice is harmless; the second call changes nothing.
    `workspace`: a ticket of another workspace is, for this caller, no ticket at all."""
    now = now or utcnow()
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or (workspace is not None and ticket.workspace != workspace):
        raise TicketNotFound(f"there is no ticket {ticket_ref(ticket_id)}")
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status == TicketStatus.OPEN)
        .values(status=TicketStatus.RESOLVED, resolved_at=now, resolved_by=actor)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        session.add(
            TicketEvent(
                ticket_id=ticket_id, action=TicketEventAction.RESOLVED, actor=actor, detail={}, at=now
            )
        )
        enqueue_resolve(session, ticket, actor=actor, now=now)
    session.flush()
    session.refresh(ticket)
    return ticket
