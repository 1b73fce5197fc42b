"""One log line and the request metrics for every Slack request, over HTTP and Socket Mode alike.

The line names what the request was (its kind), where it came from (the channel id, when it has
one) and how it ended; never a body, a user's text or a header.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot import metrics

log = logging.getLogger("hwerror.request")

_ID = re.compile(r"[A-Z0-9]{1,24}")
_TYPE = re.compile(r"/?[a-z_][a-z0-9_.-]{0,39}")


def channel_of(body: dict[str, Any]) -> str:
    """The channel id a request came from ("-" when it has none, or none that looks like an id)."""
    found: object = body.get("channel_id")
    if found is None:
        event = body.get("event")
        if isinstance(event, dict):
            found = event.get("channel")
            if isinstance(found, dict):  # channel_created and friends carry an object
                found = found.get("id")
    if found is None:
        channel = body.get("channel")
        found = channel.get("id") if isinstance(channel, dict) else None
    if found is None:
        container = body.get("container")
        found = container.get("channel_id") if isinstance(container, dict) else None
    return found if isinstance(found, str) and _ID.fullmatch(found) else "-"


def type_of(body: dict[str, Any]) -> str:
    """The request's own type: the command, the event's type, the interaction's type."""
    found: object = body.get("command")
    if found is None:
        event = body.get("event")
        found = event.get("type") if isinstance(event, dict) else body.get("type")
    return found if isinstance(found, str) and _TYPE.fullmatch(found) else "-"


def record(body: dict[str, Any], outcome: str, seconds: float, *, status: int | str) -> None:
    """`status`: the HTTP status, or in Socket Mode "ack" / "no-ack"."""
    kind = metrics.kind_of(body)
    metrics.observe_request(kind, outcome, seconds)
    log.info(
        "slack request kind=%s type=%s channel=%s outcome=%s status=%s ms=%d",
        kind,
        type_of(body),
        channel_of(body),
        outcome,
        status,
        round(seconds * 1000),
    )
