"""Rows for tests and benches, with every required column filled: name only what the test is about.

session.add(incident("AIS.0027", at=moment, channel="C2"))
session.add(ticket("AIS.0027", opened_at=moment))
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from bot.core.incidents.enums import Source, TicketStatus
from bot.core.incidents.models import Incident, Ticket
from knowledge.clock import utcnow

SERVICE = "content-moderation"
_messages = itertools.count(1)


def incident(code: str, *, at: datetime | None = None, **columns: Any) -> Incident:
    """A confident sighting of a known code in channel C1 of workspace T1 (a message of its own)."""
    values: dict[str, Any] = {
        "workspace": "T1",
        "channel": "C1",
        "message_key": f"m{next(_messages)}",
        "source": Source.PASTE,
        "service": SERVICE,
        "code": code,
        "variant": 0,
        "known": True,
        "how": "code",
        "confidence": 1.0,
        "excerpt": "x",
        "created_at": at or utcnow(),
    }
    values.update(columns)
    return Incident(**values)


def ticket(code: str, *, opened_at: datetime | None = None, **columns: Any) -> Ticket:
    """An open ticket on the internal backend for one code of workspace T1."""
    values: dict[str, Any] = {
        "workspace": "T1",
        "service": SERVICE,
        "code": code,
        "status": TicketStatus.OPEN,
        "reason": "x",
        "backend": "internal",
        "opened_at": opened_at or utcnow(),
    }
    values.update(columns)
    return Ticket(**values)
