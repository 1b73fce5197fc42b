"""Huawei Cloud service tickets: the OSM API (CreateCases) through `huaweicloudsdkosm`.

Without an AK/SK this backend makes no call at all: the ticket stays ours, and the Slack card
offers `console_link`, which opens the console's new-ticket page with a description to paste.
With credentials a create first looks for a case carrying the call's marker (a retry after a
lost response), then creates one; comments are messages on the case, skipped when an earlier
attempt already left them. Resolving leaves a message: closing a case is the customer's
confirmation in the console, not ours to give on Huawei's side.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from bot.core.incidents.backends import BackendRejected, BackendUnavailable, ExternalRef, TicketView
from bot.core.incidents.backends.http import RETRYABLE, scrub

log = logging.getLogger("hwerror.tickets.huaweicloud")

DEFAULT_OSM_ENDPOINT = "https://osm.ap-southeast-3.myhuaweicloud.com"  # the international site's OSM
SOURCE_ID = "83aeb0f2834c4df49826c781d32a963e"  # the fixed "source" OSM asks API callers to send
DESCRIPTION_MAX = 1200  # OSM's limit on a case's description
_URL_DESCRIPTION_MAX = 1000  # a console link stays well under browsers' URL limits

T = TypeVar("T")


@dataclass(frozen=True)
class OsmConfig:
    ak: str
    sk: str
    business_type_id: str
    endpoint: str | None = None
    domain_id: str | None = None
    project_id: str | None = None
    incident_sub_type_id: str | None = None
    product_category_id: str | None = None


def key_marker(idempotency_key: str) -> str:
    return "hwerror-" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:20]


def case_description(
    ticket: TicketView, region: str, *, marker: str | None = None, limit: int = DESCRIPTION_MAX
) -> str:
    """The problem as support needs it: the code, what it says, when and where, the request ids."""
    head = [
        f"Error {ticket.code} from {ticket.service} keeps recurring ({ticket.reason}).",
        f"Message: {ticket.message}" if ticket.message else "",
        f"Region: {region}",
        f"Seen {ticket.incident_count} times, first {ticket.first_seen:%Y-%m-%d %H:%M:%S} UTC, "
        f"last {ticket.last_seen:%Y-%m-%d %H:%M:%S} UTC.",
    ]
    tail = [f"[{marker}]"] if marker else []
    text = "\n".join(line for line in head if line)
    # Request ids are what support looks up first; fit in as many as the limit allows, newest first.
    ids: list[str] = []
    for rid in ticket.request_ids:
        candidate = "\n".join([text, "Request IDs: " + ", ".join([*ids, rid]), *tail])
        if len(candidate) > limit:
            break
        ids.append(rid)
    parts = [text, "Request IDs: " + ", ".join(ids)] if ids else [text]
    body = "\n".join(parts)
    room = limit - sum(len(t) + 1 for t in tail)
    if len(body) > room:
        body = body[: max(0, room - 1)] + "…"
    return "\n".join([body, *tail])


def console_link(view: TicketView, region: str) -> str:
    """The console's new-ticket page for this region, with the description in the link.

    The console's routes are not an API: if it ignores `description`, the card shows the same
    text (case_description) to paste.
    """
    host = "console.huaweicloud.com" if region.startswith("cn-") else "console-intl.huaweicloud.com"
    query = urlencode(
        {
            "region": region,
            "locale": "en-us",
            "description": case_description(view, region, limit=_URL_DESCRIPTION_MAX),
        }
    )
    return f"https://{host}/ticket/?{query}#/ticketindex/createIndex"


class HuaweiCloudBackend:
    name = "huaweicloud"

    def __init__(self, *, region: str, osm: OsmConfig | None = None, timeout: float = 10.0) -> None:
        self.region = region
        self.osm = osm
        self.timeout = timeout
        self._client: Any = None

    # -- the protocol ------------------------------------------------------------------------

    def create(self, ticket: TicketView, idempotency_key: str) -> ExternalRef | None:
        if self.osm is None:
            return None  # no credentials: the card's console link is the ticket
        marker = key_marker(idempotency_key)
        found = self._find_case(marker)
        if found is not None:
            return found
        from huaweicloudsdkosm.v2 import CreateCasesRequest, CreateOrderIncidentV2Req

        body = CreateOrderIncidentV2Req(
            business_type_id=self.osm.business_type_id,
            incident_sub_type_id=self.osm.incident_sub_type_id,
            product_category_id=self.osm.product_category_id,
            region_id=self.region,
            project_id=self.osm.project_id,
            simple_description=case_description(ticket, self.region, marker=marker),
            source_id=SOURCE_ID,
        )
        response = self._call(
            "CreateCases", lambda c: c.create_cases(CreateCasesRequest(x_language="en-us", body=body))
        )
        case_id = getattr(response, "incident_id", None)
        if not case_id:
            raise BackendUnavailable("OSM CreateCases answered without an incident_id")
        return self._ref(str(case_id))

    def reopen(self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str) -> ExternalRef | None:
        if self.osm is None:
            return ref
        if ref is not None:
            text = f"This error is back after it was resolved (regression): {ticket.reason}."
            try:
                self.comment(ticket, ref, text, idempotency_key)
                return ref
            except BackendRejected:
                # A closed case takes no messages; the regression gets a case of its own.
                log.info("case %s refuses messages; opening a new case for the regression", ref.external_id)
        return self.create(ticket, idempotency_key)

    def comment(self, ticket: TicketView, ref: ExternalRef | None, text: str, idempotency_key: str) -> None:
        if self.osm is None or ref is None:
            return None  # nothing outside to comment on; the ticket's events keep the history
        from huaweicloudsdkosm.v2 import (
            CreateMessageDoV2,
            CreateMessagesRequest,
            CreateMessageV2Req,
            ListMessagesRequest,
        )

        marker = f"[{key_marker(idempotency_key)}]"
        listed = self._call(
            "ListMessages",
            lambda c: c.list_messages(ListMessagesRequest(case_id=ref.external_id, offset=0, limit=100)),
        )
        if any(marker in (m.content or "") for m in (getattr(listed, "message_list", None) or [])):
            return None
        message = CreateMessageV2Req(message=CreateMessageDoV2(content=f"{text}\n{marker}"))
        self._call(
            "CreateMessages",
            lambda c: c.create_messages(CreateMessagesRequest(case_id=ref.external_id, body=message)),
        )
        return None

    def resolve(
        self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str, note: str | None = None
    ) -> None:
        self.comment(ticket, ref, note or "Resolved on our side (hwerror).", idempotency_key)

    # -- helpers -----------------------------------------------------------------------------

    def _ref(self, case_id: str) -> ExternalRef:
        host = "console.huaweicloud.com" if self.region.startswith("cn-") else "console-intl.huaweicloud.com"
        query = urlencode({"region": self.region, "incidentId": case_id})
        return ExternalRef(case_id, f"https://{host}/ticket/?{query}#/ticketindex/business")

    def _find_case(self, marker: str) -> ExternalRef | None:
        from huaweicloudsdkosm.v2 import ListCasesRequest

        try:
            listed = self._call(
                "ListCases", lambda c: c.list_cases(ListCasesRequest(search_key=[marker], offset=0, limit=10))
            )
        except BackendRejected as exc:
            # The lookup is a guard against a lost answer, not a precondition: if OSM refuses the
            # search itself, creating is still right (a refused create will say why).
            log.warning("OSM case lookup refused (%s); creating without it", exc)
            return None
        for case in getattr(listed, "incident_info_list", None) or []:
            if marker in (case.simple_description or "") and case.incident_id:
                return self._ref(str(case.incident_id))
        return None

    def _client_or_build(self) -> Any:
        if self._client is None:
            assert self.osm is not None
            from huaweicloudsdkcore.auth.credentials import GlobalCredentials
            from huaweicloudsdkcore.http.http_config import HttpConfig
            from huaweicloudsdkosm.v2 import OsmClient

            config = HttpConfig.get_default_config()
            config.timeout = (self.timeout, self.timeout)
            config.retry_times = 0  # the outbox retries, with backoff, and remembers the attempts
            credentials = GlobalCredentials(self.osm.ak, self.osm.sk, self.osm.domain_id)
            self._client = (
                OsmClient.new_builder()
                .with_http_config(config)
                .with_credentials(credentials)
                .with_endpoints([self.osm.endpoint or DEFAULT_OSM_ENDPOINT])
                .build()
            )
        return self._client

    def _call(self, operation: str, call: Callable[[Any], T]) -> T:
        import requests
        from huaweicloudsdkcore.exceptions import exceptions as sdk

        assert self.osm is not None
        secrets = (self.osm.ak, self.osm.sk)
        try:
            return call(self._client_or_build())
        except sdk.ServiceResponseException as exc:
            detail = scrub(f"{exc.error_code or ''} {exc.error_msg or ''}".strip(), secrets)
            message = f"OSM {operation} answered {exc.status_code}" + (f": {detail}" if detail else "")
            if exc.status_code in RETRYABLE or exc.status_code >= 500:
                raise BackendUnavailable(message) from None
            raise BackendRejected(message) from None
        except (sdk.RequestTimeoutException, sdk.ConnectionException) as exc:
            reason = scrub(str(getattr(exc, "error_msg", "") or exc), secrets).splitlines()
            raise BackendUnavailable(
                f"OSM {operation} failed: {type(exc).__name__}: {reason[0][:200] if reason else ''}"
            ) from None
        except sdk.SdkException as exc:
            raise BackendUnavailable(f"OSM {operation} failed: {type(exc).__name__}") from None
        except requests.Timeout:
            # The SDK lets the read timeout of `requests` through unwrapped.
            raise BackendUnavailable(f"OSM {operation} timed out after {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise BackendUnavailable(f"OSM {operation} failed: {type(exc).__name__}") from None
