"""What to do with a claimed outbox item before any call: make it, or settle it without one.

An item whose ticket is gone, whose backend this worker does not run, whose ticket exists outside
already, or that must wait for its ticket's create is settled here; the worker writes the
`Decision` under its lease. Everything else becomes a `Call`, with what it needs once the session
is closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.incidents.backends import ExternalRef, TicketBackend
from bot.core.incidents.enums import OutboxOutcome, OutboxStatus
from bot.core.incidents.models import OutboxItem, Ticket
from bot.core.incidents.outbox.calls import Call
from bot.core.incidents.outbox.queue import OPENING
from bot.core.incidents.ticket_view import as_utc, ticket_view

# How long a call waiting for its ticket's create sleeps when that create is due now.
DEFER = timedelta(seconds=2)


@dataclass(frozen=True)
class Decision:
    """The item is settled without a call: its outcome, and the columns to write."""

    outcome: OutboxOutcome
    values: dict[str, Any] = field(default_factory=dict)


def prepare(
    session: Session, item_id: int, backends: Mapping[str, TicketBackend], running: str, now: datetime
) -> Call | Decision | OutboxOutcome:
    """`running`: the backend this worker was started with, named in the dead item's error."""
    item = session.get(OutboxItem, item_id)
    ticket = session.get(Ticket, item.ticket_id) if item else None
    if item is None or ticket is None:
        return OutboxOutcome.GONE  # the ticket was deleted, and its items with it
    backend = backends.get(item.backend)
    if backend is None:
        message = f"no {item.backend!r} backend here: this worker runs HWERROR_TICKET_BACKEND={running}"
        return Decision(
            OutboxOutcome.DEAD,
            {"status": OutboxStatus.DEAD, "attempts": item.attempts, "last_error": message},
        )
    if item.action == "create" and ticket.external_id:
        # Made already (by this item's earlier attempt, or an earlier create): done, no call.
        return Decision(
            OutboxOutcome.DONE, {"status": OutboxStatus.DONE, "attempts": item.attempts, "done_at": now}
        )
    if item.action != "create" and not ticket.external_id:
        blocker = session.scalars(
            select(OutboxItem)
            .where(
                OutboxItem.ticket_id == ticket.id,
                OutboxItem.id < item.id,
                OutboxItem.status == OutboxStatus.PENDING,
                OutboxItem.action.in_(OPENING),
            )
            .order_by(OutboxItem.id)
            .limit(1)
        ).first()
        if blocker is not None:
            # The external ticket is still being made: calling now would comment on nothing,
            # or (for a reopen) make a second ticket. Wait for it; this is no attempt.
            wake = max(as_utc(blocker.next_attempt_at), now) + DEFER
            return Decision(
                OutboxOutcome.DEFERRED,
                {"status": OutboxStatus.PENDING, "attempts": item.attempts, "next_attempt_at": wake},
            )
    ref = ExternalRef(ticket.external_id, ticket.external_url) if ticket.external_id else None
    return Call(
        item_id=item.id,
        action=item.action,
        key=item.idempotency_key,
        attempts=item.attempts,
        payload=dict(item.payload or {}),
        ticket_id=ticket.id,
        backend=backend,
        view=ticket_view(session, ticket),
        ref=ref,
    )
