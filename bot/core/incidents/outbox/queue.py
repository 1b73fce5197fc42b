"""The outbox: everything the bot owes, written in the transaction of the change that owes it.

Ticket calls are written with the ticket's change (record.py writes "create" and "reopen";
`enqueue_comment` and `enqueue_resolve` here write the others); chat messages with the claim or
incident that calls for them (`enqueue_chat`); a request Slack sent is kept before it is
acknowledged (`enqueue_answer`). So nothing owed is lost, and nothing is done for a change that
was rolled back. `outbox.worker` makes the ticket calls; the chat front end delivers the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.incidents.enums import OutboxKind, OutboxStatus
from bot.core.incidents.models import Incident, OutboxItem, Ticket
from knowledge.clock import utcnow

ACTIONS = ("create", "reopen", "comment", "resolve")
# A requeued item with a deadline has this long again to be delivered.
REQUEUED_WINDOW = timedelta(hours=1)
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
    return _add_once(session, item)  # None: already queued under this key, by this process or another


def enqueue_chat(
    session: Session,
    action: str,
    payload: Mapping[str, Any],
    *,
    key: str,
    lane: str | None,
    deadline: datetime | None = None,
    now: datetime | None = None,
) -> OutboxItem | None:
    """A message (or upload, or Home tab) for the chat front end to deliver; `action` is its
    method, `lane` what its sender paces by (method and channel). One per key."""
    return _add_once(
        session,
        OutboxItem(
            kind=OutboxKind.CHAT,
            backend="chat",
            action=action,
            lane=lane,
            payload=dict(payload),
            idempotency_key=key[:80],
            next_attempt_at=now or utcnow(),
            deadline=deadline,
        ),
    )


def enqueue_answer(
    session: Session,
    action: str,
    payload: Mapping[str, Any],
    *,
    key: str,
    deadline: datetime | None = None,
    now: datetime | None = None,
) -> OutboxItem | None:
    """A request kept before it is acknowledged, to be answered by whichever process is free;
    None when the same request (a redelivery) was kept already."""
    return _add_once(
        session,
        OutboxItem(
            kind=OutboxKind.ANSWER,
            backend="chat",
            action=action,
            payload=dict(payload),
            idempotency_key=key[:80],
            next_attempt_at=now or utcnow(),
            deadline=deadline,
        ),
    )


def _add_once(session: Session, item: OutboxItem) -> OutboxItem | None:
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError:
        return None
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


def dead_items(session: Session, limit: int = 50, kind: OutboxKind | None = None) -> list[OutboxItem]:
    """The items that gave up, newest first, each with its last error."""
    query = select(OutboxItem).where(OutboxItem.status == OutboxStatus.DEAD)
    if kind is not None:
        query = query.where(OutboxItem.kind == kind)
    return list(session.scalars(query.order_by(OutboxItem.id.desc()).limit(limit)))


def requeue_dead(session: Session, ids: Collection[int] | None = None, *, now: datetime | None = None) -> int:
    """Give dead items a fresh set of attempts (after the configuration was fixed, say); an item
    past its deadline gets a new one, REQUEUED_WINDOW from now."""
    now = now or utcnow()
    stmt = update(OutboxItem).where(OutboxItem.status == OutboxStatus.DEAD)
    if ids is not None:
        stmt = stmt.where(OutboxItem.id.in_(list(ids)))
    result = session.execute(
        stmt.values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            deadline=case(
                (OutboxItem.deadline.is_(None), None),
                else_=now + REQUEUED_WINDOW,
            ),
        ).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
