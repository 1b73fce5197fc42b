"""The outbox: calls to ticket backends, written in the ticket's own transaction.

A row is written with the change that calls for it (record.py writes "create" and "reopen";
`enqueue_comment` and `enqueue_resolve` here write the others), so a call is never lost and never
made for a change that was rolled back. `outbox.worker` makes the calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.incidents.enums import OutboxStatus
from bot.core.incidents.models import Incident, OutboxItem, Ticket
from knowledge.clock import utcnow

ACTIONS = ("create", "reopen", "comment", "resolve")
# Actions that make the external ticket: later calls for the same ticket wait for them.
OPENING = ("create", "reopen")


def enqueue(
    session: Session,
    ticket: Ticket,
    action: str,
    payload: Mapping[str, Any] | None = None,
    *,
    key: str | None = None,
    now: datetime | None = None,
) -> OutboxItem | None:
    """Queue one backend call for `ticket`, in the caller's transaction.

    `key` is the idempotency key: the same key queued twice is one call (the second enqueue
    returns None). Without a key every enqueue is a call of its own.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown outbox action {action!r}; expected one of {', '.join(ACTIONS)}")
    if ticket.id is None:
        session.flush()
    key = key or f"hwerror-{ticket.id}-{action}-{uuid.uuid4().hex[:20]}"
    if len(key) > 80:
        raise ValueError(f"idempotency key {key[:20]!r}… is longer than 80 characters")
    item = OutboxItem(
        ticket_id=ticket.id,
        backend=ticket.backend,
        action=action,
        payload={"ticket_id": ticket.id, **(payload or {})},
        idempotency_key=key,
        next_attempt_at=now or utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError:
        return None  # already queued under this key, by this process or another
    return item


def enqueue_comment(
    session: Session, ticket: Ticket, text: str, *, key: str | None = None, now: datetime | None = None
) -> OutboxItem | None:
    """A comment on the external ticket (Jira comment, OSM message, webhook "ticket.commented")."""
    return enqueue(session, ticket, "comment", {"text": text}, key=key, now=now)


def enqueue_attached(
    session: Session, ticket: Ticket, incident: Incident, *, now: datetime | None = None
) -> OutboxItem | None:
    """The comment for an incident attached to an open ticket; one per incident, however often called.

    Every attach makes one comment: a caller that finds that too chatty for busy codes can
    comment every Nth incident instead (the text carries the running count).
    """
    where = f"<#{incident.channel}>" if incident.channel else "a channel"
    rid = f", request id {incident.request_id}" if incident.request_id else ""
    text = f"Seen again in {where}{rid}."
    return enqueue(
        session,
        ticket,
        "comment",
        {"text": text, "incident_id": incident.id},
        key=f"hwerror-{ticket.id}-comment-i{incident.id}",
        now=now,
    )


def enqueue_resolve(
    session: Session,
    ticket: Ticket,
    *,
    actor: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> OutboxItem | None:
    """Tell the backend the ticket was resolved; once per resolution, whoever calls twice."""
    note = note or (f"Resolved in hwerror by {actor}." if actor else "Resolved in hwerror.")
    return enqueue(
        session,
        ticket,
        "resolve",
        {"actor": actor, "note": note},
        key=f"hwerror-{ticket.id}-resolve-{ticket.times_reopened}",
        now=now,
    )


# -- inspection -------------------------------------------------------------------------------


def dead_items(session: Session, limit: int = 50) -> list[OutboxItem]:
    """The calls that gave up, newest first, each with its last error."""
    return list(
        session.scalars(
            select(OutboxItem)
            .where(OutboxItem.status == OutboxStatus.DEAD)
            .order_by(OutboxItem.id.desc())
            .limit(limit)
        )
    )


def requeue_dead(session: Session, ids: Collection[int] | None = None, *, now: datetime | None = None) -> int:
    """Give dead calls a fresh set of attempts (after the configuration was fixed, say)."""
    stmt = update(OutboxItem).where(OutboxItem.status == OutboxStatus.DEAD)
    if ids is not None:
        stmt = stmt.where(OutboxItem.id.in_(list(ids)))
    result = session.execute(
        stmt.values(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now or utcnow(), claimed_until=None
        ).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
