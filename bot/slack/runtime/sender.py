"""The chat sender: delivers the outbox's chat items, paced per lane, each exactly once.

A dispatcher thread takes the oldest due item of every lane that is free (`lease.oldest_per_lane`
and `lease.claim`: several processes never hold one item), and a pool of its own makes the calls,
so a slow or rate-limiting Slack holds only the sender, never a request. What became of an item is
written under its lease: delivered (done), tried again later (Retry-After honoured, else backoff),
sent smaller (a refusal of its size), or dead (refused for good, or past its deadline: `hwerror
outbox` lists and requeues it).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot import metrics
from bot.core.incidents.enums import OutboxKind, OutboxStatus
from bot.core.incidents.models import OutboxItem
from bot.core.incidents.outbox import lease as leases
from bot.core.incidents.outbox.calls import Backoff
from bot.core.incidents.ticket_view import as_utc
from bot.slack.runtime import methods
from bot.slack.runtime.methods import Failed, Job, Verdict
from bot.slack.runtime.outgoing import DIGEST, POST, RESPONSE_URL
from bot.slack.runtime.pacing import Pacer
from knowledge.clock import utcnow
from knowledge.db import session_factory

log = logging.getLogger("hwerror.sender")

PERFORM: dict[str, Callable[[Job], None]] = {
    POST: methods.post_parts,
    DIGEST: methods.post_digest,
    RESPONSE_URL: methods.respond,
}


# Delivered items are kept this long (for `hwerror outbox` and a look after an incident), then purged.
KEEP_DONE = timedelta(days=7)
PURGE_EVERY = 600.0  # seconds
# How long a lane is one item's alone once taken: its order and rate kept, a hung call not waited on.
EXCLUSIVE_FOR = timedelta(seconds=1.5)


class LeaseLost(Exception):
    """Another worker holds the item now; its run decides."""


@dataclass
class Tally:
    delivered: int = 0
    retried: int = 0
    degraded: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"chat: {self.delivered} delivered, {self.retried} retried, "
            f"{self.degraded} sent smaller, {self.dead} dead"
        )


class ChatSender:
    def __init__(
        self,
        engine: Engine,
        client: WebClient,
        *,
        threads: int = 8,
        lease: timedelta = timedelta(seconds=60),
        pacer: Pacer | None = None,
        backoff: Backoff | None = None,
        max_attempts: int = 50,
        poll: float = 0.5,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = session_factory(engine)
        self.client = client
        self.threads = max(1, threads)
        self.lease = lease
        self.pacer = pacer or Pacer({POST: 1.0})
        # Short first waits: a refusal that passes (ratelimited without Retry-After, a 5xx) passes fast.
        self.backoff = backoff or Backoff(base=timedelta(seconds=0.5), cap=timedelta(minutes=5))
        self.max_attempts = max_attempts
        self.poll = poll
        self.clock = clock
        self.tally = Tally()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: set[int] = set()
        self._next_due: datetime | None = None
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="hwerror-sender")

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    # -- the loop -----------------------------------------------------------------------------

    def run_forever(self, stop: threading.Event) -> None:
        self._stop = stop
        purged_at = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - purged_at > PURGE_EVERY:
                    purged_at = time.monotonic()
                    self.purge()
                self.dispatch()
            except DBAPIError as exc:
                log.error("chat sender: database unavailable, trying again: %s", _first_line(exc))
                stop.wait(1.0)
            except Exception:  # noqa: BLE001 - the loop must outlive a bug in one pass
                log.exception("chat sender: pass failed")
                stop.wait(1.0)
            self._wake.wait(self._sleep())
            self._wake.clear()
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _sleep(self) -> float:
        if self._next_due is None:
            return self.poll
        return min(self.poll, max(0.01, (as_utc(self._next_due) - as_utc(self.clock())).total_seconds()))

    def purge(self) -> int:
        """Forget chat items and kept messages delivered more than KEEP_DONE ago."""
        with self.sessions() as session, session.begin():
            kinds = (OutboxKind.CHAT, OutboxKind.ANSWER)
            return leases.purge_done(session, kinds, self.clock() - KEEP_DONE)

    def dispatch(self) -> int:
        """Start on every item that may go now; returns how many were started."""
        with self._lock:
            free = self.threads - len(self._in_flight)
        if free <= 0:
            return 0
        now = self.clock()
        with self.sessions() as session, session.begin():
            lanes = leases.oldest_per_lane(session, OutboxKind.CHAT, now, limit=free)
            # A lane is one worker's at a time, across processes (its order and its pace hold), for
            # EXCLUSIVE_FOR at most: a call that hangs does not stop its lane.
            until = now + EXCLUSIVE_FOR
            ours = [
                i for i, lane in lanes.items() if lane is None or leases.take_lane(session, lane, now, until)
            ]
            won, token = leases.claim_items(session, OutboxKind.CHAT, now, self.lease, ids=ours)
            for item_id in set(ours) - {item.id for item in won}:
                lane = lanes[item_id]
                if lane is not None:
                    leases.free_lane(session, lane, now)
            # When the next held item (paced, or after a Retry-After) falls due: wake then, not at the poll.
            due_next = session.scalar(
                select(func.min(OutboxItem.next_attempt_at)).where(
                    OutboxItem.kind == OutboxKind.CHAT,
                    OutboxItem.status == OutboxStatus.PENDING,
                    OutboxItem.next_attempt_at > now,
                )
            )
            free_next = leases.next_free(session, now)
            self._next_due = min(
                (t for t in (due_next, free_next) if t is not None), key=as_utc, default=None
            )
        with self._lock:
            self._in_flight |= {item.id for item in won}
        for item in won:
            self._pool.submit(self._run, item, token)
        return len(won)

    def drain(self, timeout: float = 30.0, horizon: float = 5.0) -> Tally:
        """Deliver everything due now or within `horizon` seconds, and wait for it (the CLI,
        tests): the tally of this drain."""
        start = Tally(**{k: v for k, v in vars(self.tally).items() if k != "errors"})
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        try:
            while not deadline.is_set():
                started = self.dispatch()
                with self._lock:
                    idle = not self._in_flight
                if idle and not started and not self._due_soon(horizon):
                    break
                self._wake.wait(self._sleep() if idle else 0.05)
                self._wake.clear()
        finally:
            timer.cancel()
        return Tally(
            delivered=self.tally.delivered - start.delivered,
            retried=self.tally.retried - start.retried,
            degraded=self.tally.degraded - start.degraded,
            dead=self.tally.dead - start.dead,
        )

    def _due_soon(self, horizon: float) -> bool:
        """Some item is due within `horizon` seconds (held by pacing or a Retry-After, say)."""
        with self.sessions() as session:
            soon = self.clock() + timedelta(seconds=horizon)
            count = session.scalar(
                select(func.count()).select_from(OutboxItem).where(leases.due(OutboxKind.CHAT, soon))
            )
        return bool(count)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    # -- one item -----------------------------------------------------------------------------

    def _run(self, item: leases.Claimed, token: datetime) -> None:
        item_id = item.id
        try:
            self.deliver(item, token)
        except DBAPIError as exc:  # its progress is kept; the lease runs out and it goes on later
            log.warning(
                "chat item %s: database unavailable (%s); delivery goes on later", item_id, _first_line(exc)
            )
        except Exception:  # noqa: BLE001 - logged; the lease runs out and the item is tried again
            log.exception("chat item %s: delivery failed unexpectedly", item_id)
        finally:
            with self._lock:
                self._in_flight.discard(item_id)
            self._wake.set()

    def deliver(self, item: leases.Claimed, token: datetime) -> None:
        item_id, action, lane, attempts = item.id, item.action, item.lane or "", item.attempts
        deadline, payload = item.deadline, item.payload
        if item.in_doubt and "parts" in payload and payload["parts"] and "uncertain" not in payload:
            # Its last holder died (or outlived its lease) mid-delivery: look before posting again.
            payload["uncertain"] = len(payload.get("posted") or [])
        perform = PERFORM.get(action, methods.call)

        def progress() -> None:
            with self.sessions() as s, s.begin():
                if not _write_payload(s, item_id, token, payload):
                    raise LeaseLost()

        called: list[datetime] = []

        def pace() -> None:
            if not self.pacer.wait(lane, self._stop):
                raise Failed(Verdict.RETRY, "sender stopping")
            self.pacer.used(lane)
            called.append(self.clock())

        job = Job(
            item_id, action, payload, self.client, progress, pace, on_degraded=self._degraded(item_id, action)
        )
        try:
            perform(job)
        except LeaseLost:
            log.warning("chat item %s: lease lost mid-delivery; the worker that took it goes on", item_id)
            return
        except Failed as failed:
            self._failed(item_id, token, action, lane, attempts, deadline, payload, failed)
            return
        except (KeyError, TypeError, ValueError) as exc:  # an item this sender cannot read: it never will
            log.error("chat item %s (%s) cannot be delivered: %s", item_id, action, type(exc).__name__)
            unreadable = Failed(Verdict.FATAL, f"unreadable item: {type(exc).__name__}: {str(exc)[:200]}")
            self._failed(item_id, token, action, lane, attempts, deadline, payload, unreadable)
            return
        with self.sessions() as s, s.begin():
            now = self.clock()
            done = leases.settle(
                s,
                item_id,
                token,
                status=OutboxStatus.DONE,
                attempts=attempts + 1,
                done_at=now,
                payload=payload,
            )
            if done and lane:
                # Slack counts calls as they arrive: the next may go `gap` after this one's call.
                gap = timedelta(seconds=self.pacer.interval(lane))
                leases.free_lane(s, lane, (called[-1] if called else now) + gap)
        if done:
            self.tally.delivered += 1
            metrics.outbox_delivered(action, "delivered")
            log.info("chat item %s (%s): delivered", item_id, action)

    def _degraded(self, item_id: int, action: str) -> Callable[[str], None]:
        def note(error: str) -> None:
            self.tally.degraded += 1
            metrics.outbox_delivered(action, "degraded")
            metrics.slack_api_error(action, error)
            log.warning("chat item %s: Slack refused its size (%s); sending it smaller", item_id, error)

        return note

    def _failed(
        self,
        item_id: int,
        token: datetime,
        action: str,
        lane: str,
        attempts: int,
        deadline: datetime | None,
        payload: dict[str, Any],
        failed: Failed,
    ) -> None:
        now = self.clock()
        attempts += 1
        metrics.slack_api_error(action, failed.error.split(":")[0][:60])
        wait = self.backoff.delay(attempts, random.random(), failed.retry_after)
        expired = deadline is not None and as_utc(now + wait) > as_utc(deadline)
        if failed.verdict in (Verdict.FATAL, Verdict.TOO_BIG) or attempts >= self.max_attempts or expired:
            reason = failed.error if not expired else f"{failed.error} (deadline passed)"
            with self.sessions() as s, s.begin():
                dead = leases.settle(
                    s,
                    item_id,
                    token,
                    status=OutboxStatus.DEAD,
                    attempts=attempts,
                    last_error=reason[:2000],
                    payload=payload,
                )
            if dead:
                self.tally.dead += 1
                metrics.outbox_delivered(action, "dead")
                self.tally.errors.append(f"item {item_id} ({action}): {reason}")
                log.error(
                    "chat item %s (%s) is dead after %s attempt(s): %s", item_id, action, attempts, reason
                )
            return
        with self.sessions() as s, s.begin():
            if lane:  # free again after its pace, or after the Retry-After Slack asked for
                pause = max(self.pacer.interval(lane), failed.retry_after or 0.0)
                leases.free_lane(s, lane, now + timedelta(seconds=pause))
            retried = leases.settle(
                s,
                item_id,
                token,
                attempts=attempts,
                next_attempt_at=now + wait,
                last_error=failed.error[:2000],
                payload=payload,
            )
        if retried:
            self.tally.retried += 1
            metrics.outbox_delivered(action, "retried")
            log.warning(
                "chat item %s (%s): %s; trying again in %.1f s",
                item_id,
                action,
                failed.error,
                wait.total_seconds(),
            )


def _write_payload(session: Session, item_id: int, token: datetime, payload: dict[str, Any]) -> bool:
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id, OutboxItem.claimed_until == token)
        .values(payload=payload)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _first_line(exc: BaseException) -> str:
    return (str(getattr(exc, "orig", exc)).splitlines() or [""])[0][:300]
