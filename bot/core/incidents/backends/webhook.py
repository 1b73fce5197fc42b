"""Generic webhook: each ticket event is JSON POSTed to one URL, signed with HMAC-SHA256.

Headers (docs/tickets.md has the receiver's side):
  X-Hwerror-Timestamp: Unix seconds when this attempt was signed
  X-Hwerror-Signature: v1=<hex HMAC-SHA256(secret, "v1:{timestamp}:{body}")>
  Idempotency-Key: the same on every retry of one event; a receiver dedupes on it

The body is the exact bytes signed. An answer with a JSON object holding "id" (and optionally
"url") to a created or reopened event becomes the ticket's external reference.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

from bot.core.incidents.backends import ExternalRef, TicketView
from bot.core.incidents.backends.http import json_body, request

SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept a timestamp either side of its clock


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Hwerror-Signature value for one body."""
    message = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """What a Python receiver does: a fresh timestamp and a matching signature, compared in constant time."""
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get("x-hwerror-timestamp", "")
    signature = lowered.get("x-hwerror-signature", "")
    if not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookBackend:
    name = "webhook"

    def __init__(
        self, url: str, secret: str, *, timeout: float = 10.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.url = url
        self._secret = secret
        self.timeout = timeout
        self._clock = clock

    def create(self, ticket: TicketView, idempotency_key: str) -> ExternalRef | None:
        return _ref(self._post("ticket.created", ticket, None, idempotency_key))

    def reopen(self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str) -> ExternalRef | None:
        return _ref(self._post("ticket.reopened", ticket, ref, idempotency_key)) or ref

    def comment(self, ticket: TicketView, ref: ExternalRef | None, text: str, idempotency_key: str) -> None:
        self._post("ticket.commented", ticket, ref, idempotency_key, text=text)

    def resolve(
        self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str, note: str | None = None
    ) -> None:
        self._post("ticket.resolved", ticket, ref, idempotency_key, text=note)

    def _post(
        self, event: str, ticket: TicketView, ref: ExternalRef | None, key: str, text: str | None = None
    ) -> object:
        payload: dict[str, object] = {
            "event": event,
            "idempotency_key": key,
            "ticket": ticket.as_json(),
            "external": {"id": ref.external_id, "url": ref.url} if ref else None,
        }
        if text is not None:
            payload["text"] = text
        body = json_body(payload)
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Hwerror-Timestamp": timestamp,
            "X-Hwerror-Signature": sign(self._secret, timestamp, body),
            "Idempotency-Key": key,
        }
        # "webhook", not the URL, in messages: webhook URLs often carry a token in their path.
        response = request(
            "webhook",
            "POST",
            self.url,
            headers=headers,
            body=body,
            timeout=self.timeout,
            secrets=(self._secret,),
            show_path=False,
        )
        return response.json()


def _ref(answer: object) -> ExternalRef | None:
    if isinstance(answer, dict) and answer.get("id") not in (None, ""):
        url = answer.get("url")
        return ExternalRef(str(answer["id"])[:200], str(url)[:500] if url else None)
    return None
