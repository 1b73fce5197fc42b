"""Taking outbox items for one lease, and writing what became of them while the lease holds.

Every kind of item (ticket calls, chat messages, kept requests) is claimed the same way: one
UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id, so on PostgreSQL a process
never waits for rows another is claiming and on SQLite the single statement is the write lock.
Either way an item is held by one worker at a time. The lease's end is the fencing token: a
worker writes an outcome only while `claimed_until` still equals the token it was given.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.core.incidents.enums import OutboxKind, OutboxStatus
from bot.core.incidents.models import OutboxItem, OutboxLane


def due(kind: OutboxKind, now: datetime) -> ColumnElement[bool]:
    """The items of `kind` a worker may take now: pending, due, and not leased."""
    return and_(
        OutboxItem.kind == kind,
        OutboxItem.status == OutboxStatus.PENDING,
        OutboxItem.next_attempt_at <= now,
        or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now),
    )


@dataclass(frozen=True)
class Claimed:
    """An item taken for a lease, with what its work needs (read in the claim itself)."""

    id: int
    action: str
    lane: str | None
    payload: dict[str, Any]
    attempts: int
    deadline: datetime | None
    in_doubt: bool  # taken over from a lease that ran out: its last call may have happened


def claim(
    session: Session,
    kind: OutboxKind,
    now: datetime,
    lease: timedelta,
    *,
    ids: Collection[int] | None = None,
    limit: int = 50,
) -> tuple[list[int], datetime]:
    """Take up to `limit` due items (of `ids`, when given), oldest first, for one lease.

    Returns the ids this caller won and the token to write their outcomes with. The caller's
    transaction holds the claim: commit it at once, before doing the work."""
    items, until = claim_items(session, kind, now, lease, ids=ids, limit=limit)
    return [i.id for i in items], until


def claim_items(
    session: Session,
    kind: OutboxKind,
    now: datetime,
    lease: timedelta,
    *,
    ids: Collection[int] | None = None,
    limit: int = 50,
) -> tuple[list[Claimed], datetime]:
    """`claim`, returning the items themselves: one statement to find them (locked, or skipped
    when another process is taking them) and one to take them, in the caller's transaction."""
    until = now + lease
    candidates = select(OutboxItem.id, OutboxItem.claimed_until).where(due(kind, now))
    if ids is not None:
        if not ids:
            return [], until
        candidates = candidates.where(OutboxItem.id.in_(list(ids)))
    found = session.execute(
        candidates.order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not found:
        return [], until
    taken_over = {i for i, held in found if held is not None}
    rows = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_([i for i, _ in found]), due(kind, now))
        .values(claimed_until=until)
        .returning(
            OutboxItem.id,
            OutboxItem.action,
            OutboxItem.lane,
            OutboxItem.payload,
            OutboxItem.attempts,
            OutboxItem.deadline,
        )
        .execution_options(synchronize_session=False)
    ).all()
    items = [
        Claimed(i, action, lane, dict(payload or {}), attempts, deadline, i in taken_over)
        for i, action, lane, payload, attempts, deadline in rows
    ]
    return sorted(items, key=lambda c: c.id), until


def oldest_per_lane(
    session: Session,
    kind: OutboxKind,
    now: datetime,
    *,
    limit: int = 50,
) -> dict[int, str | None]:
    """The oldest due item of each lane that is free (not held by `take_lane`, its pace or a
    Retry-After, in any process), oldest first, with its lane: what a paced sender takes next."""
    held = select(OutboxLane.lane).where(OutboxLane.free_at > now)
    query = (
        select(func.min(OutboxItem.id), OutboxItem.lane)
        .where(due(kind, now), or_(OutboxItem.lane.is_(None), OutboxItem.lane.not_in(held)))
        .group_by(OutboxItem.lane)
    )
    rows = session.execute(query.order_by(func.min(OutboxItem.id)).limit(limit)).all()
    return {int(i): lane for i, lane in rows if i is not None}


def take_lane(session: Session, lane: str, now: datetime, until: datetime) -> bool:
    """Take the lane for this caller until `until`, if it is free now; False when another
    worker (or process) holds it or it is paced. One statement: on PostgreSQL a second taker
    waits for the first to commit, then finds the lane taken."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert(OutboxLane).values(lane=lane, free_at=until)
    taken = session.execute(
        statement.on_conflict_do_update(
            index_elements=[OutboxLane.lane],
            set_={"free_at": statement.excluded.free_at},
            where=OutboxLane.free_at <= now,
        ).returning(OutboxLane.lane)
    ).first()
    return taken is not None


def free_lane(session: Session, lane: str, at: datetime) -> None:
    """The lane's holder is done with it: free from `at` (its pace after the last call)."""
    session.execute(
        update(OutboxLane)
        .where(OutboxLane.lane == lane)
        .values(free_at=at)
        .execution_options(synchronize_session=False)
    )


def next_free(session: Session, now: datetime) -> datetime | None:
    """When the next held lane is free again."""
    return session.scalar(select(func.min(OutboxLane.free_at)).where(OutboxLane.free_at > now))


def settle(session: Session, item_id: int, token: datetime, **values: Any) -> bool:
    """Write the item's outcome (and end the lease) if the lease is still ours; False when it is
    not: the work outlived it and another worker took the item, whose run decides."""
    if values.get("status") is OutboxStatus.DONE:
        values.setdefault("last_error", None)
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id, OutboxItem.claimed_until == token)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def purge_done(session: Session, kinds: Collection[OutboxKind], before: datetime) -> int:
    """Forget delivered items older than `before` (the outbox is not an archive)."""
    result = session.execute(
        delete(OutboxItem)
        .where(
            OutboxItem.kind.in_(list(kinds)),
            OutboxItem.status == OutboxStatus.DONE,
            OutboxItem.done_at < before,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
