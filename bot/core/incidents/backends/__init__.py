"""Ticket backends: where a ticket lives besides our own table.

Every backend call is made by the outbox worker, never on a Slack request's path, and is given
an idempotency key that stays the same across retries of one call. A backend answers a call, or
raises BackendUnavailable (retry later) or BackendRejected (retrying cannot help).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.core.incidents.enums import TicketStatus
from bot.core.incidents.models import ticket_ref

if TYPE_CHECKING:
    from bot.core.incidents.config import TicketSettings


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
    status: str = TicketStatus.OPEN

    @property
    def ref(self) -> str:
        return ticket_ref(self.ticket_id)

    def as_json(self) -> dict[str, object]:
        """The view as the webhook sends it: times in ISO 8601 UTC, tuples as lists."""
        return {
            "id": self.ticket_id,
            "workspace": self.workspace,
            "service": self.service,
            "code": self.code,
            "status": self.status,
            "message": self.message,
            "handling": self.handling,
            "reason": self.reason,
            "incident_count": self.incident_count,
            "channels": list(self.channels),
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "request_ids": list(self.request_ids),
            "times_reopened": self.times_reopened,
            "doc_url": self.doc_url,
        }


@dataclass(frozen=True)
class ExternalRef:
    external_id: str
    url: str | None = None


class BackendUnavailable(Exception):
    """Down, slow, 5xx or 429: the outbox retries later with backoff.

    `retry_after` is the wait in seconds the backend asked for (a Retry-After header), if any.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BackendRejected(Exception):
    """A 4xx the backend will keep giving (bad credentials, unknown project): retrying cannot help."""


class TicketBackend(Protocol):
    """One ticket system. Calls must be safe to repeat with the same idempotency key.

    `create` returns the external ticket's reference, or None when the ticket has no external
    twin (internal; Huawei Cloud without credentials, where the card links to the console).
    `reopen` is called for a ticket that comes back after it was resolved; `ref` is None when the
    ticket was never created outside, and then a reopen must create it. It returns the reference
    to store (the same one, or a new one when the backend had to open a new external ticket).
    `resolve` gets the note to leave on the external ticket (who resolved it, and where).
    """

    name: str

    def create(self, ticket: TicketView, idempotency_key: str) -> ExternalRef | None: ...

    def reopen(
        self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str
    ) -> ExternalRef | None: ...

    def comment(
        self, ticket: TicketView, ref: ExternalRef | None, text: str, idempotency_key: str
    ) -> None: ...

    def resolve(
        self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str, note: str | None = None
    ) -> None: ...


def make_backend(settings: TicketSettings) -> TicketBackend:
    """The backend HWERROR_TICKET_BACKEND names, built from the validated settings."""
    # Imported here: the Huawei Cloud SDK is large, and a bot on another backend never loads it.
    name = settings.ticket_backend
    timeout = settings.ticket_http_timeout
    if name == "internal":
        from bot.core.incidents.backends.internal import InternalBackend

        return InternalBackend()
    if name == "webhook":
        from bot.core.incidents.backends.webhook import WebhookBackend

        assert settings.webhook_url and settings.webhook_secret  # the settings validator ensures both
        secret = settings.webhook_secret.get_secret_value()
        return WebhookBackend(settings.webhook_url, secret, timeout=timeout)
    if name == "jira":
        from bot.core.incidents.backends.jira import JiraBackend

        assert settings.jira_url and settings.jira_project and settings.jira_token
        return JiraBackend(
            settings.jira_url,
            project=settings.jira_project,
            token=settings.jira_token.get_secret_value(),
            email=settings.jira_email,
            issue_type=settings.jira_issue_type,
            resolve_transition=settings.jira_resolve_transition,
            reopen_transition=settings.jira_reopen_transition,
            timeout=timeout,
        )
    if name == "huaweicloud":
        from bot.core.incidents.backends.huaweicloud import HuaweiCloudBackend, OsmConfig

        osm = None
        if settings.huaweicloud_ak and settings.huaweicloud_sk:
            assert settings.huaweicloud_business_type_id
            osm = OsmConfig(
                ak=settings.huaweicloud_ak.get_secret_value(),
                sk=settings.huaweicloud_sk.get_secret_value(),
                business_type_id=settings.huaweicloud_business_type_id,
                endpoint=settings.huaweicloud_osm_endpoint,
                domain_id=settings.huaweicloud_domain_id,
                project_id=settings.huaweicloud_project_id,
                incident_sub_type_id=settings.huaweicloud_incident_sub_type_id,
                product_category_id=settings.huaweicloud_product_category_id,
            )
        return HuaweiCloudBackend(region=settings.huaweicloud_region, osm=osm, timeout=timeout)
    raise ValueError(f"HWERROR_TICKET_BACKEND={name!r} is not a ticket backend")
