"""Ticket backends: where a ticket lives besides our own table.

Every backend call is made by the outbox worker, never on a Slack request's path, and is given
an idempotency key that stays the same across retries of one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class TicketView:
    """What a backend needs to know about a ticket: plain data, no session."""

    ticket_id: int
    workspace: str
    service: str
    code: str
    message: str
    handling: str
    reason: str
    incident_count: int
    channels: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    request_ids: tuple[str, ...] = field(default_factory=tuple)
    times_reopened: int = 0
    doc_url: str | None = None


@dataclass(frozen=True)
class ExternalRef:
    external_id: str
    url: str | None = None


class BackendUnavailable(Exception):
    """Down, slow, 5xx or 429: the outbox retries later with backoff."""


class BackendRejected(Exception):
    """A 4xx the backend will keep giving (bad credentials, unknown project): retrying cannot help."""


class TicketBackend(Protocol):
    name: str

    def create(self, ticket: TicketView, idempotency_key: str) -> ExternalRef: ...

    def comment(self, ticket: TicketView, ref: ExternalRef, text: str, idempotency_key: str) -> None: ...

    def resolve(self, ticket: TicketView, ref: ExternalRef, idempotency_key: str) -> None: ...
