"""A ticket as the backends and cards see it: its counts read from its incidents, its words from the KB."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.incidents.backends import TicketView
from bot.core.incidents.models import Incident, Ticket
from bot.core.redaction import redact
from knowledge.store import get_entry

MAX_REQUEST_IDS = 20  # enough for support to sample; a long-running ticket can have thousands


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every one we store is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def ticket_view(session: Session, ticket: Ticket) -> TicketView:
    linked = Incident.ticket_id == ticket.id
    count, first_seen, last_seen = session.execute(
        select(func.count(Incident.id), func.min(Incident.created_at), func.max(Incident.created_at)).where(
            linked
        )
    ).one()
    # Channels in the order the code reached them.
    channels = session.execute(
        select(Incident.channel, func.min(Incident.created_at).label("first"))
        .where(linked)
        .group_by(Incident.channel)
        .order_by("first", Incident.channel)
    ).all()
    request_ids = session.execute(
        select(Incident.request_id, func.max(Incident.created_at).label("last"))
        .where(linked, Incident.request_id.is_not(None))
        .group_by(Incident.request_id)
        .order_by(func.max(Incident.created_at).desc(), Incident.request_id)
        .limit(MAX_REQUEST_IDS)
    ).all()
    # The variant the code was last seen as: the entry whose message and handling apply now.
    variant = session.scalars(
        select(Incident.variant)
        .where(linked)
        .order_by(Incident.created_at.desc(), Incident.id.desc())
        .limit(1)
    ).first()
    entry = get_entry(session, ticket.service, ticket.code, variant or 0)
    if entry is None and variant:
        entry = get_entry(session, ticket.service, ticket.code, 0)
    opened = as_utc(ticket.opened_at)
    return TicketView(
        ticket_id=ticket.id,
        workspace=ticket.workspace,
        service=ticket.service,
        code=ticket.code,
        message=entry.message if entry else "",
        handling=entry.handling if entry else "",
        reason=redact(ticket.reason),
        incident_count=int(count),
        channels=tuple(row[0] for row in channels),
        first_seen=as_utc(first_seen) if first_seen else opened,
        last_seen=as_utc(last_seen) if last_seen else opened,
        request_ids=tuple(redact(str(row[0])) for row in request_ids),
        times_reopened=ticket.times_reopened,
        doc_url=entry.doc_url if entry else None,
        status=ticket.status,
    )
