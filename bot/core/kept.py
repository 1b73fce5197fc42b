"""Requests kept before they are acknowledged: "acked means kept".

A front end keeps what a request asks for with one short insert (an ANSWER outbox item) and only
then acknowledges it; when the insert fails it must not acknowledge, so the sender retries. The
text is redacted before it is stored, like every other field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.core.incidents.outbox.queue import enqueue_answer
from bot.core.redaction import redact, without_nul
from knowledge.clock import utcnow

# Longer than any paste we answer: the rest is cut before it is kept (and before it is redacted).
TEXT_MAX = 100_000
# A kept request nobody could answer within this long is a dead item.
ANSWER_DEADLINE = timedelta(hours=6)


@dataclass(frozen=True)
class Kept:
    action: str  # what to do with it, e.g. "paste"
    key: str  # one per request: a redelivery finds it kept already
    text: str
    context: dict[str, Any] = field(default_factory=dict)  # ids: channel, ts, user, files; no text


def keep(session: Session, kept: Kept) -> bool:
    """Store the request and commit; False when it had been kept already (a redelivery)."""
    payload = {**kept.context, "text": redact(without_nul(kept.text[:TEXT_MAX]))}
    now = utcnow()
    item = enqueue_answer(
        session, kept.action, payload, key=kept.key, deadline=now + ANSWER_DEADLINE, now=now
    )
    session.commit()
    return item is not None
