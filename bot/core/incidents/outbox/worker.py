"""The outbox worker: it makes each queued call at least once and, through the row's
idempotency key, in effect at most once:

* claiming (outbox.lease) is one UPDATE of pending, due, unleased rows that returns who won, so
  several workers (threads or processes, SQLite or PostgreSQL) never hold one item at once;
* the backend call happens outside any transaction, under a lease long enough for it;
* the result is written only while the lease is still ours (the lease time is the fence);
* a failure that may pass (down, 5xx, 429, timeout) is retried with capped, jittered exponential
  backoff, until `max_attempts`, when the item is "dead" with its last error kept; a refusal
  that will not change (400/401/403/404) is dead at once.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.core.incidents.backends import BackendRejected, BackendUnavailable, ExternalRef, TicketBackend
from bot.core.incidents.backends.http import scrub
from bot.core.incidents.backends.internal import InternalBackend
from bot.core.incidents.enums import OutboxKind, OutboxOutcome, OutboxStatus
from bot.core.incidents.models import OutboxItem, Ticket
from bot.core.incidents.outbox import lease as leases
from bot.core.incidents.outbox.calls import Backoff, Call, make_call
from bot.core.incidents.outbox.prepare import Decision, prepare
from bot.core.incidents.outbox.queue import OPENING
from knowledge.clock import utcnow
from knowledge.db import session_factory

log = logging.getLogger("hwerror.outbox")

_ERROR_MAX = 2000


@dataclass
class RunSummary:
    done: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)  # "item 7 (create): <last error>" for this run's dead

    def add(self, other: RunSummary) -> None:
        self.done += other.done
        self.retried += other.retried
        self.dead += other.dead
        self.deferred += other.deferred
        self.errors += other.errors

    @property
    def processed(self) -> int:
        return self.done + self.retried + self.dead + self.deferred

    def line(self) -> str:
        text = f"outbox: {self.done} done, {self.retried} retried, {self.dead} dead"
        return text + (f", {self.deferred} waiting for their ticket's create" if self.deferred else "")


class OutboxWorker:
    def __init__(
        self,
        engine: Engine,
        backend: TicketBackend,
        *,
        max_attempts: int = 12,
        backoff: Backoff | None = None,
        lease: timedelta = timedelta(minutes=2),
        secrets: Collection[str] = (),
        batch: int = 50,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self.backend = backend
        # Items written while the bot ran on the internal backend need no call whatever runs now.
        self.backends: dict[str, TicketBackend] = {"internal": InternalBackend(), backend.name: backend}
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.lease = lease
        self.secrets = [s for s in secrets if s]
        self.batch = batch
        self.clock = clock
        self.jitter = jitter

    # -- one pass ---------------------------------------------------------------------------

    def run_once(self, now: datetime | None = None) -> RunSummary:
        """Process every item due now (in batches); `now` pins the clock, for tests."""
        total = RunSummary()
        seen: set[int] = set()
        while True:
            ids = [i for i in self.due(now or self.clock()) if i not in seen]
            if not ids:
                return total
            for item_id in ids:
                seen.add(item_id)
                total.add(self.process(item_id, now))

    def due(self, now: datetime) -> list[int]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(OutboxItem.id)
                    .where(leases.due(OutboxKind.TICKET, now))
                    .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
                    .limit(self.batch)
                )
            )

    def claim(self, item_id: int, now: datetime) -> datetime | None:
        """Take the item for one lease; the lease's end is returned as the fencing token, or None
        when another worker has it (or it is no longer due)."""
        with self.sessions() as session, session.begin():
            won, token = leases.claim(session, OutboxKind.TICKET, now, self.lease, ids=[item_id])
        return token if won else None

    def process(self, item_id: int, now: datetime | None = None) -> RunSummary:
        """Claim one item and make its call; the summary counts what became of it (nothing if
        another worker had it)."""
        summary = RunSummary()
        started = now or self.clock()
        token = self.claim(item_id, started)
        if token is None:
            return summary
        work_or_outcome = self._prepare(item_id, token, started)
        if isinstance(work_or_outcome, OutboxOutcome):
            self._count(summary, work_or_outcome, item_id)
            return summary
        work = work_or_outcome
        try:
            ref = make_call(work)
        except BackendRejected as exc:
            outcome = self._fail(work, token, now or self.clock(), str(exc), retry=False)
        except BackendUnavailable as exc:
            outcome = self._fail(
                work, token, now or self.clock(), str(exc), retry=True, retry_after=exc.retry_after
            )
        except Exception as exc:  # noqa: BLE001 - a bug or a surprise answer must not lose the call
            log.exception(
                "outbox item %s (%s): unexpected error from the %s backend",
                work.item_id,
                work.action,
                work.backend.name,
            )
            outcome = self._fail(work, token, now or self.clock(), f"{type(exc).__name__}: {exc}", retry=True)
        else:
            outcome = self._succeed(work, token, now or self.clock(), ref)
        self._count(summary, outcome, item_id)
        return summary

    # -- the steps --------------------------------------------------------------------------

    def _prepare(self, item_id: int, token: datetime, now: datetime) -> Call | OutboxOutcome:
        with self.sessions() as session, session.begin():
            found = prepare(session, item_id, self.backends, self.backend.name, now)
            if isinstance(found, Decision):
                return self._write(session, item_id, token, outcome=found.outcome, **found.values)
            return found  # a Call, or GONE

    def _succeed(self, work: Call, token: datetime, now: datetime, ref: ExternalRef | None) -> OutboxOutcome:
        with self.sessions() as session, session.begin():
            outcome = self._write(
                session,
                work.item_id,
                token,
                status=OutboxStatus.DONE,
                attempts=work.attempts + 1,
                done_at=now,
                outcome=OutboxOutcome.DONE,
            )
            if (
                outcome is OutboxOutcome.DONE
                and ref is not None
                and work.action in OPENING
                and ref != work.ref
            ):
                session.execute(
                    update(Ticket)
                    .where(Ticket.id == work.ticket_id)
                    .values(
                        external_id=ref.external_id[:200], external_url=ref.url[:500] if ref.url else None
                    )
                    .execution_options(synchronize_session=False)
                )
        log.info(
            "outbox item %s (%s, ticket %s, %s): done",
            work.item_id,
            work.action,
            work.ticket_id,
            work.backend.name,
        )
        return outcome

    def _fail(
        self,
        work: Call,
        token: datetime,
        now: datetime,
        error: str,
        *,
        retry: bool,
        retry_after: float | None = None,
    ) -> OutboxOutcome:
        error = scrub(error, self.secrets)[:_ERROR_MAX]
        attempts = work.attempts + 1
        with self.sessions() as session, session.begin():
            if retry and attempts < self.max_attempts:
                wait = self.backoff.delay(attempts, self.jitter(), retry_after)
                outcome = self._write(
                    session,
                    work.item_id,
                    token,
                    status=OutboxStatus.PENDING,
                    attempts=attempts,
                    next_attempt_at=now + wait,
                    last_error=error,
                    outcome=OutboxOutcome.RETRIED,
                )
                log.warning(
                    "outbox item %s (%s, ticket %s): attempt %s failed, next in %s: %s",
                    work.item_id,
                    work.action,
                    work.ticket_id,
                    attempts,
                    wait,
                    error,
                )
                return outcome
            outcome = self._write(
                session,
                work.item_id,
                token,
                status=OutboxStatus.DEAD,
                attempts=attempts,
                last_error=error,
                outcome=OutboxOutcome.DEAD,
            )
        log.error(
            "outbox item %s (%s, ticket %s) is dead after %s attempt(s): %s",
            work.item_id,
            work.action,
            work.ticket_id,
            attempts,
            error,
        )
        return outcome

    def _write(
        self, session: Session, item_id: int, token: datetime, *, outcome: OutboxOutcome, **values: Any
    ) -> OutboxOutcome:
        """Record what happened, only if the lease is still ours; "lost" when it is not."""
        if not leases.settle(session, item_id, token, **values):
            # The call outlived the lease and another worker took the item; its run (with the
            # same idempotency key) decides the outcome.
            log.warning("outbox item %s: lease lost before its outcome was written", item_id)
            return OutboxOutcome.LOST
        return outcome

    def _count(self, summary: RunSummary, outcome: OutboxOutcome, item_id: int) -> None:
        if outcome is OutboxOutcome.DONE:
            summary.done += 1
        elif outcome is OutboxOutcome.RETRIED:
            summary.retried += 1
        elif outcome is OutboxOutcome.DEFERRED:
            summary.deferred += 1
        elif outcome is OutboxOutcome.DEAD:
            summary.dead += 1
            with self.sessions() as session:
                item = session.get(OutboxItem, item_id)
                if item is not None:
                    summary.errors.append(
                        f"item {item.id} ({item.action}, ticket {item.ticket_id}): {item.last_error}"
                    )

    # -- the loop ---------------------------------------------------------------------------

    def run_forever(
        self,
        stop: threading.Event,
        interval: float = 5.0,
        on_pass: Callable[[RunSummary], None] | None = None,
    ) -> RunSummary:
        """Process due items every `interval` seconds until `stop` is set; a database that goes away
        for a while is waited out, not fatal."""
        total = RunSummary()
        while not stop.is_set():
            try:
                summary = self.run_once()
            except DBAPIError as exc:
                log.error(
                    "outbox pass failed on the database, trying again in %s s: %s",
                    interval,
                    str(getattr(exc, "orig", exc)).splitlines()[0][:300],
                )
            else:
                total.add(summary)
                if on_pass is not None and summary.processed:
                    on_pass(summary)
            stop.wait(interval)
        return total
