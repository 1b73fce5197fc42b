"""What the bot owes the chat, as the core hands it to the outbox.

The core decides *that* a message is owed (a reply to a paste, an escalation notice, the digest)
and writes it in the same transaction as the claim or incident that owes it. How it reads is the
front end's: an `Outgoing` turns the core's results into `Delivery`s (a method, the lane its sender
paces by, a payload only the front end's sender understands).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from bot.core.incidents.outbox.queue import enqueue_chat
from knowledge.clock import utcnow

if TYPE_CHECKING:
    from bot.core.digest.compute import Digest
    from bot.core.incidents.desk import Escalated
    from bot.core.pipeline import Reply
    from bot.core.store import MessageRef

# A reply that could not be delivered within this long is a dead item (`hwerror outbox` lists it).
REPLY_DEADLINE = timedelta(hours=6)


@dataclass(frozen=True)
class Delivery:
    action: str  # the front end's method, e.g. "chat.postMessage"
    lane: str | None  # what the sender paces by: the method and the channel
    payload: dict[str, Any]
    key: str  # one delivery per key, however often the core asks


class Outgoing(Protocol):
    """The front end's way of putting the core's results into messages."""

    def reply(self, reply: Reply, ref: MessageRef) -> list[Delivery]: ...

    def escalated(self, escalated: Escalated) -> list[Delivery]: ...

    def digest(self, digest: Digest, key: str) -> list[Delivery]: ...


def owe(
    session: Session,
    deliveries: Iterable[Delivery],
    *,
    deadline: timedelta | None = REPLY_DEADLINE,
    now: datetime | None = None,
) -> int:
    """Queue the deliveries in the caller's transaction; returns how many were new."""
    now = now or utcnow()
    queued = 0
    for d in deliveries:
        item = enqueue_chat(
            session,
            d.action,
            d.payload,
            key=d.key,
            lane=d.lane,
            deadline=now + deadline if deadline is not None else None,
            now=now,
        )
        queued += item is not None
    return queued
