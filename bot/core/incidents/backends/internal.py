"""The default backend: the ticket lives in our own tables, so there is nothing to call."""

from __future__ import annotations

from bot.core.incidents.backends import ExternalRef, TicketView


class InternalBackend:
    name = "internal"

    def create(self, ticket: TicketView, idempotency_key: str) -> ExternalRef | None:
        return None

    def reopen(self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str) -> ExternalRef | None:
        return ref

    def comment(self, ticket: TicketView, ref: ExternalRef | None, text: str, idempotency_key: str) -> None:
        return None

    def resolve(
        self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str, note: str | None = None
    ) -> None:
        return None
