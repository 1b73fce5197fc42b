"""The outbox worker: nothing lost, nothing done twice, backoff, dead items, racing workers.

Tickets are opened by the real recording code; the backend is the webhook talking to a real
local receiver (tests/ticket_fakes.py), so every call crosses a socket.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from bot.core.incidents.backends.internal import InternalBackend
from bot.core.incidents.backends.webhook import WebhookBackend
from bot.core.incidents.enums import OutboxOutcome, OutboxStatus
from bot.core.incidents.models import Incident, OutboxItem, Ticket
from bot.core.incidents.outbox.calls import Backoff
from bot.core.incidents.outbox.queue import (
    dead_items,
    enqueue,
    enqueue_attached,
    enqueue_comment,
    enqueue_resolve,
    requeue_dead,
)
from bot.core.incidents.outbox.worker import OutboxWorker
from bot.core.incidents.ticket_view import ticket_view
from bot.core.incidents.tickets import resolve_ticket
from knowledge.bundled import bundled_rows
from knowledge.clock import utcnow
from knowledge.db import make_engine, transaction
from testing.tickets import WebhookReceiver, open_ticket, running, ticket_row

SECRET = "whsec-0123456789abcdef"
TIMEOUT = 0.4  # seconds; the fakes hang for longer to look slow


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running(WebhookReceiver(SECRET)) as fake:
        yield fake


def worker_for(engine: Engine, receiver: WebhookReceiver, **kwargs: object) -> OutboxWorker:
    options: dict[str, object] = {
        "max_attempts": 5,
        "backoff": Backoff(timedelta(seconds=10), timedelta(minutes=5)),
        "secrets": [SECRET],
        "jitter": lambda: 0.0,
    }
    options.update(kwargs)
    return OutboxWorker(engine, WebhookBackend(receiver.url, SECRET, timeout=TIMEOUT), **options)  # type: ignore[arg-type]


def outbox(engine: Engine) -> list[OutboxItem]:
    with transaction(engine) as session:
        rows = list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))
        session.expunge_all()
        return rows


def test_a_create_reaches_the_backend_once_and_its_reference_is_stored(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    ticket_id = open_ticket(kb, "webhook")
    summary = worker_for(kb, receiver).run_once()

    assert (summary.done, summary.retried, summary.dead) == (1, 0, 0)
    [event] = receiver.created()
    assert event["ticket"]["id"] == ticket_id
    assert event["ticket"]["code"] == "AIS.0003"
    [item] = outbox(kb)
    assert (item.status, item.attempts, item.last_error, item.claimed_until) == ("done", 1, None, None)
    assert item.done_at is not None
    ticket = ticket_row(kb, ticket_id)
    assert (ticket.external_id, ticket.external_url) == ("WH-1", f"{receiver.url}/tickets/WH-1")
    # A second pass finds nothing due.
    assert worker_for(kb, receiver).run_once().processed == 0


def test_a_lost_response_is_retried_without_a_second_external_ticket(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    ticket_id = open_ticket(kb, "webhook")
    receiver.lose_response(TIMEOUT * 3)  # the receiver creates the ticket, then answers too late
    worker = worker_for(kb, receiver)
    t0 = utcnow()

    first = worker.run_once(now=t0)
    assert (first.done, first.retried) == (0, 1)
    [item] = outbox(kb)
    assert "timed out" in (item.last_error or "")
    assert ticket_row(kb, ticket_id).external_id is None

    # Not due before its backoff; due after it.
    assert worker.run_once(now=t0 + timedelta(seconds=4)).processed == 0
    second = worker.run_once(now=t0 + timedelta(seconds=11))
    assert second.done == 1
    assert len(receiver.created()) == 1  # the receiver saw the same Idempotency-Key twice
    assert receiver.posts[item.idempotency_key] == 2
    assert ticket_row(kb, ticket_id).external_id == "WH-1"


def test_backoff_grows_with_every_failure_up_to_the_cap(kb: Engine, receiver: WebhookReceiver) -> None:
    open_ticket(kb, "webhook")
    receiver.fail(500, times=6)
    worker = worker_for(
        kb,
        receiver,
        max_attempts=10,
        backoff=Backoff(timedelta(seconds=10), timedelta(seconds=60)),
        jitter=lambda: 0.99,
    )
    now = utcnow()
    waits = []
    for _ in range(6):
        assert worker.run_once(now=now).retried == 1
        [item] = outbox(kb)
        due = item.next_attempt_at.replace(tzinfo=now.tzinfo)
        waits.append((due - now).total_seconds())
        now = due
    # Equal jitter: each wait lies in [step/2, step] for step = 10, 20, 40, 60 (capped) s.
    for wait, step in zip(waits, [10, 20, 40, 60, 60, 60], strict=True):
        assert step / 2 <= wait <= step
    assert waits[0] < waits[1] < waits[2] < waits[3]
    assert worker.run_once(now=now).done == 1
    assert len(receiver.created()) == 1


def test_backoff_jitter_spreads_waits_within_the_step() -> None:
    backoff = Backoff(timedelta(seconds=30), timedelta(hours=1))
    assert backoff.delay(1, 0.0) == timedelta(seconds=15)
    assert backoff.delay(1, 0.999) < timedelta(seconds=30)
    assert backoff.delay(3, 0.0) == timedelta(seconds=60)
    assert backoff.delay(30, 0.999) <= timedelta(hours=1)  # 2**29 steps would be years: capped
    assert backoff.delay(1, 0.0, retry_after=120) == timedelta(seconds=120)
    assert backoff.delay(1, 0.0, retry_after=10 * 86400) == timedelta(hours=1)


def test_an_item_is_dead_after_max_attempts_with_its_last_error_kept(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    open_ticket(kb, "webhook")
    receiver.fail(503, times=10)
    worker = worker_for(kb, receiver, max_attempts=3)
    now = utcnow()
    outcomes = []
    for _ in range(4):
        summary = worker.run_once(now=now)
        outcomes.append((summary.retried, summary.dead))
        now += timedelta(hours=1)
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]
    [item] = outbox(kb)
    assert (item.status, item.attempts) == ("dead", 3)
    assert item.last_error == "webhook POST answered 503: injected 503"
    with transaction(kb) as session:
        assert [d.id for d in dead_items(session)] == [item.id]
    assert receiver.created() == []

    # Once the backend is back, a requeue gets the call made, once.
    receiver.faults.clear()
    with transaction(kb) as session:
        assert requeue_dead(session) == 1
    assert worker.run_once().done == 1
    assert len(receiver.created()) == 1


def test_a_refusal_that_will_not_change_is_dead_at_once(kb: Engine, receiver: WebhookReceiver) -> None:
    open_ticket(kb, "webhook")
    receiver.fail(403)
    summary = worker_for(kb, receiver).run_once()
    assert (summary.dead, summary.retried) == (1, 0)
    [item] = outbox(kb)
    assert (item.status, item.attempts) == ("dead", 1)
    assert "403" in (item.last_error or "")
    assert summary.errors == [f"item {item.id} (create, ticket {item.ticket_id}): {item.last_error}"]


def test_429_waits_at_least_as_long_as_retry_after_asks(kb: Engine, receiver: WebhookReceiver) -> None:
    open_ticket(kb, "webhook")
    receiver.fail(429, retry_after="120")
    now = utcnow()
    assert worker_for(kb, receiver).run_once(now=now).retried == 1
    [item] = outbox(kb)
    wait = item.next_attempt_at.replace(tzinfo=now.tzinfo) - now
    assert timedelta(seconds=120) <= wait < timedelta(seconds=121)
    assert "429" in (item.last_error or "")


def test_a_slow_backend_is_retried_and_nothing_happened_on_its_side(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    open_ticket(kb, "webhook")
    receiver.hang(TIMEOUT * 3)
    assert worker_for(kb, receiver).run_once().retried == 1
    [item] = outbox(kb)
    assert item.last_error == f"webhook POST timed out after {TIMEOUT:g} s"
    assert receiver.created() == []


def test_a_refused_connection_is_retried(kb: Engine) -> None:
    open_ticket(kb, "webhook")
    with running(WebhookReceiver(SECRET)) as gone:
        url = gone.url  # a port that nothing listens on once the receiver stops
    worker = OutboxWorker(kb, WebhookBackend(url, SECRET, timeout=TIMEOUT))
    assert worker.run_once().retried == 1
    [item] = outbox(kb)
    assert item.status == "pending"
    assert "webhook POST failed" in (item.last_error or "")


def test_two_workers_racing_never_process_one_item_twice(
    db_url: str, kb: Engine, receiver: WebhookReceiver
) -> None:
    codes = sorted({row.code for row in bundled_rows("content-moderation.json")[2]})[:16]
    for i, code in enumerate(codes):
        open_ticket(kb, "webhook", code=code, message_key=f"1700000000.{i:06d}")
    engines = [make_engine(db_url) for _ in range(2)]
    workers = [worker_for(e, receiver) for e in engines]
    start = threading.Barrier(len(workers))
    results: list[tuple[int, int, int]] = []
    failures: list[BaseException] = []

    def run(worker: OutboxWorker) -> None:
        try:
            start.wait()
            s = worker.run_once()
            results.append((s.done, s.retried, s.dead))
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.dispose()
    assert failures == []
    assert sum(r[0] for r in results) == len(codes)
    assert sum(r[1] + r[2] for r in results) == 0
    # Each item was sent exactly once: no receiver-side dedupe was needed.
    assert sorted(receiver.posts.values()) == [1] * len(codes)
    assert {i.status for i in outbox(kb)} == {"done"}


def test_a_claimed_item_is_not_claimed_again_until_its_lease_ends(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    open_ticket(kb, "webhook")
    [item] = outbox(kb)
    a, b = worker_for(kb, receiver), worker_for(kb, receiver)
    now = utcnow()
    assert a.claim(item.id, now) is not None
    assert b.claim(item.id, now) is None
    assert b.claim(item.id, now + a.lease - timedelta(seconds=1)) is None
    # A worker that died holding it: after the lease another takes over.
    assert b.claim(item.id, now + a.lease + timedelta(seconds=1)) is not None


def test_an_outcome_is_not_written_by_a_worker_whose_lease_was_taken_over(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    ticket_id = open_ticket(kb, "webhook")
    [item] = outbox(kb)
    slow, fast = worker_for(kb, receiver), worker_for(kb, receiver)
    now = utcnow()
    stale = slow.claim(item.id, now)
    assert stale is not None
    later = now + slow.lease + timedelta(seconds=1)
    assert fast.process(item.id, later).done == 1
    # The first worker comes back from a very long call and reports a failure: it is ignored.
    with transaction(kb) as session:
        assert (
            slow._write(
                session,
                item.id,
                stale,
                status=OutboxStatus.PENDING,
                attempts=1,
                outcome=OutboxOutcome.RETRIED,
            )
            == "lost"
        )
    [after] = outbox(kb)
    assert after.status == "done"
    assert ticket_row(kb, ticket_id).external_id == "WH-1"


def test_a_create_for_a_ticket_that_has_its_external_id_makes_no_call(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    ticket_id = open_ticket(kb, "webhook")
    with transaction(kb) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        ticket.external_id = "WH-77"
    assert worker_for(kb, receiver).run_once().done == 1
    assert receiver.requests == []
    assert ticket_row(kb, ticket_id).external_id == "WH-77"


def test_a_comment_waits_for_its_tickets_create(kb: Engine, receiver: WebhookReceiver) -> None:
    ticket_id = open_ticket(kb, "webhook")
    with transaction(kb) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        enqueue_comment(session, ticket, "first note")
    receiver.fail(500)
    worker = worker_for(kb, receiver)
    now = utcnow()
    first = worker.run_once(now=now)
    assert (first.retried, first.deferred, first.done) == (1, 1, 0)
    create, comment = outbox(kb)
    assert comment.attempts == 0  # waiting is not an attempt
    assert comment.next_attempt_at > create.next_attempt_at

    later = worker.run_once(now=now + timedelta(minutes=1))
    assert later.done == 2
    assert [e["event"] for e in receiver.events.values()] == ["ticket.created", "ticket.commented"]
    commented = list(receiver.events.values())[1]
    assert commented["text"] == "first note"
    assert commented["external"] == {"id": "WH-1", "url": f"{receiver.url}/tickets/WH-1"}


def test_an_item_for_a_backend_this_worker_lacks_is_dead_naming_the_variable(
    kb: Engine, receiver: WebhookReceiver
) -> None:
    open_ticket(kb, "jira")
    summary = worker_for(kb, receiver).run_once()
    assert summary.dead == 1
    [item] = outbox(kb)
    assert item.last_error == "no 'jira' backend here: this worker runs HWERROR_TICKET_BACKEND=webhook"
    assert receiver.requests == []


def test_internal_tickets_complete_without_any_call(kb: Engine, receiver: WebhookReceiver) -> None:
    internal = open_ticket(kb, "internal")
    with transaction(kb) as session:
        ticket = session.get(Ticket, internal)
        assert ticket is not None
        enqueue_comment(session, ticket, "noted")
    # Even a worker configured for the webhook finishes the internal ticket's items, silently.
    assert worker_for(kb, receiver).run_once().done == 2
    assert OutboxWorker(kb, InternalBackend()).run_once().processed == 0
    assert receiver.requests == []
    assert ticket_row(kb, internal).external_id is None


def test_the_same_idempotency_key_queued_twice_is_one_call(kb: Engine) -> None:
    ticket_id = open_ticket(kb, "webhook")
    with transaction(kb) as session:
        ticket = session.get(Ticket, ticket_id)
        incident = session.scalars(select(Incident)).one()
        assert ticket is not None
        assert enqueue_attached(session, ticket, incident) is not None
        assert enqueue_attached(session, ticket, incident) is None
        assert enqueue_resolve(session, ticket, actor="U0USER") is not None
        assert enqueue_resolve(session, ticket, actor="U0USER") is None
        assert enqueue(session, ticket, "comment", {"text": "a"}) is not None
        assert enqueue(session, ticket, "comment", {"text": "a"}) is not None  # no key: a call of its own
        with pytest.raises(ValueError, match="unknown outbox action"):
            enqueue(session, ticket, "delete")
    assert [i.action for i in outbox(kb)] == ["create", "comment", "resolve", "comment", "comment"]


def test_resolving_and_reopening_reach_the_backend_in_order(kb: Engine, receiver: WebhookReceiver) -> None:
    ticket_id = open_ticket(kb, "webhook")
    worker = worker_for(kb, receiver)
    assert worker.run_once().done == 1
    with transaction(kb) as session:
        resolve_ticket(session, ticket_id, "U0LEAD")
    assert worker.run_once().done == 1
    # The code comes back: the recording code reopens the ticket and queues a reopen.
    open_ticket(kb, "webhook", message_key="1700000999.000001", request_id="req-0002")
    assert worker.run_once().done == 1

    events = list(receiver.events.values())
    assert [e["event"] for e in events] == ["ticket.created", "ticket.resolved", "ticket.reopened"]
    assert events[1]["text"] == "Resolved in hwerror by U0LEAD."
    assert events[2]["ticket"]["times_reopened"] == 1
    assert events[2]["ticket"]["request_ids"] == ["req-0002", "req-0001"]
    assert ticket_row(kb, ticket_id).external_id == "WH-1"


def test_ticket_view_reads_counts_channels_and_request_ids_from_linked_incidents(kb: Engine) -> None:
    t0 = utcnow() - timedelta(hours=2)
    ticket_id = open_ticket(kb, "internal", now=t0, channel="C0FIRST001", request_id="req-a")
    open_ticket(
        kb,
        "internal",
        now=t0 + timedelta(minutes=30),
        channel="C0SECOND01",
        message_key="1700000001.000001",
        request_id="req-b",
    )
    open_ticket(
        kb,
        "internal",
        now=t0 + timedelta(hours=1),
        channel="C0FIRST001",
        message_key="1700000002.000001",
        request_id=None,
    )
    with transaction(kb) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        view = ticket_view(session, ticket)
    assert view.incident_count == 3
    assert view.channels == ("C0FIRST001", "C0SECOND01")
    assert view.request_ids == ("req-b", "req-a")  # newest first
    assert view.first_seen == t0
    assert view.last_seen == t0 + timedelta(hours=1)
    assert view.message == "Failed to complete the request because of an internal service error."
    assert view.handling.startswith("Contact HUAWEI CLOUD technical support")
    assert view.doc_url and view.doc_url.startswith("https://support.huaweicloud.com/")
