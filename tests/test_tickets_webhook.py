"""The webhook backend: the documented signature, the event body, and what errors may say."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from bot.core.incidents.backends import TicketView, make_backend
from bot.core.incidents.backends.webhook import WebhookBackend, sign, verify
from bot.core.incidents.config import TicketSettings
from bot.core.incidents.models import OutboxItem
from bot.core.incidents.outbox.worker import OutboxWorker
from knowledge.db import transaction
from testing.tickets import WebhookReceiver, open_ticket, running

SECRET = "whsec-documented-scheme-0001"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running(WebhookReceiver(SECRET)) as fake:
        yield fake


def the_item(engine: Engine) -> OutboxItem:
    with transaction(engine) as session:
        item = session.scalars(select(OutboxItem)).one()
        session.expunge(item)
        return item


def test_the_signature_is_verifiable_with_the_documented_scheme(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    open_ticket(kb, "webhook")
    assert OutboxWorker(kb, WebhookBackend(receiver.url, SECRET)).run_once().done == 1
    [request] = receiver.requests
    headers = request.headers
    timestamp = headers["X-Hwerror-Timestamp"]
    # docs/tickets.md: v1=<hex HMAC-SHA256(secret, "v1:{timestamp}:{body}")>, body as sent.
    expected = hmac.new(
        SECRET.encode(), f"v1:{timestamp}:".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Hwerror-Signature"] == f"v1={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    assert headers["Idempotency-Key"] == the_item(kb).idempotency_key
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert receiver.bad_signatures == 0
    # The helper a Python receiver can use agrees, and refuses tampering and replays.
    assert verify(SECRET, headers, request.body)
    assert not verify(SECRET, headers, request.body.replace(b"AIS.0003", b"AIS.0004"))
    assert not verify("another-secret", headers, request.body)
    assert not verify(SECRET, headers, request.body, now=int(timestamp) + 301)


def test_sign_matches_a_known_vector() -> None:
    # A fixed vector receivers in other languages can test against (docs/tickets.md).
    assert sign("s3cret", "1700000000", b'{"event":"ticket.created"}') == (
        "v1=" + hmac.new(b"s3cret", b'v1:1700000000:{"event":"ticket.created"}', hashlib.sha256).hexdigest()
    )


def test_the_created_event_carries_the_ticket_as_documented(kb: Engine, receiver: WebhookReceiver) -> None:
    ticket_id = open_ticket(kb, "webhook")
    OutboxWorker(kb, WebhookBackend(receiver.url, SECRET)).run_once()
    [event] = receiver.created()
    assert set(event) == {"event", "idempotency_key", "ticket", "external"}
    assert event["external"] is None
    ticket = event["ticket"]
    assert set(ticket) == set(TicketView.__dataclass_fields__) - {"ticket_id"} | {"id"}
    assert ticket["id"] == ticket_id
    assert (ticket["service"], ticket["code"], ticket["status"]) == ("content-moderation", "AIS.0003", "open")
    assert (ticket["incident_count"], ticket["channels"], ticket["request_ids"]) == (
        1,
        ["C0TICKET01"],
        ["req-0001"],
    )
    assert ticket["first_seen"].endswith("+00:00")
    # The body is compact, sorted JSON: what was signed is exactly what a receiver reads.
    [request] = receiver.requests
    assert (
        request.body == json.dumps(event, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    )


def test_a_receiver_with_another_secret_refuses_and_the_item_is_dead(kb: Engine) -> None:
    open_ticket(kb, "webhook")
    with running(WebhookReceiver("the-receivers-own-secret")) as strict:
        worker = OutboxWorker(kb, WebhookBackend(strict.url, SECRET), secrets=[SECRET])
        assert worker.run_once().dead == 1
        assert strict.bad_signatures == 1
    item = the_item(kb)
    assert item.last_error == "webhook POST answered 401: bad signature"


def test_a_secret_path_in_the_webhook_url_is_not_in_the_stored_error(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    open_ticket(kb, "webhook")
    receiver.fail(500)
    url = f"{receiver.url}/hooks/T0TEAM/tok-9f8e7d6c5b4a"
    OutboxWorker(kb, WebhookBackend(url, SECRET)).run_once()
    item = the_item(kb)
    assert item.last_error == "webhook POST answered 500: injected 500"
    assert "tok-9f8e7d6c5b4a" not in (item.last_error or "")


def test_a_redirect_is_not_followed_and_is_dead(kb: Engine, receiver: WebhookReceiver) -> None:
    open_ticket(kb, "webhook")
    receiver.fail(308)
    assert OutboxWorker(kb, WebhookBackend(receiver.url, SECRET)).run_once().dead == 1
    assert len(receiver.requests) == 1
    assert "answered 308" in (the_item(kb).last_error or "")


def test_make_backend_builds_the_webhook_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HWERROR_TICKET_BACKEND", "webhook")
    monkeypatch.setenv("HWERROR_WEBHOOK_URL", "https://hooks.example.test/hwerror")
    monkeypatch.setenv("HWERROR_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("HWERROR_TICKET_HTTP_TIMEOUT", "2.5")
    backend = make_backend(TicketSettings())
    assert isinstance(backend, WebhookBackend)
    assert (backend.url, backend.timeout) == ("https://hooks.example.test/hwerror", 2.5)


def test_settings_refuse_a_webhook_without_its_secret_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HWERROR_TICKET_BACKEND", "webhook")
    monkeypatch.setenv("HWERROR_WEBHOOK_URL", "https://hooks.example.test/hwerror")
    with pytest.raises(ValueError, match="HWERROR_TICKET_BACKEND=webhook needs HWERROR_WEBHOOK_SECRET"):
        TicketSettings()


def test_settings_parse_outbox_durations_and_refuse_a_cap_below_the_base(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HWERROR_OUTBOX_BACKOFF_BASE", "1m")
    monkeypatch.setenv("HWERROR_OUTBOX_BACKOFF_MAX", "2h")
    settings = TicketSettings()
    assert (settings.outbox_backoff_base, settings.outbox_backoff_max) == (
        timedelta(minutes=1),
        timedelta(hours=2),
    )
    monkeypatch.setenv("HWERROR_OUTBOX_BACKOFF_MAX", "30s")
    with pytest.raises(ValueError, match="HWERROR_OUTBOX_BACKOFF_MAX must not be shorter"):
        TicketSettings()
