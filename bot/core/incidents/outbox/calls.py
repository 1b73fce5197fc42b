"""One outbox call: what a claimed item needs once its session is closed, how it is made, and
how long to wait after it fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.core.incidents.backends import BackendRejected, ExternalRef, TicketBackend, TicketView


@dataclass(frozen=True)
class Backoff:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    # A Retry-After is honoured up to this; a backend asking for days is treated as down.
    retry_after_cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int, jitter: float, retry_after: float | None = None) -> timedelta:
        """The wait after the `attempts`-th failure; `jitter` is uniform in [0, 1).

        "Equal jitter": half the exponential step is fixed and half random, so waits spread out
        workers that failed together yet still grow with every attempt, up to the cap.
        """
        step = min(self.cap, self.base * (2 ** max(0, attempts - 1)))
        wait = step / 2 + step / 2 * jitter
        if retry_after is not None:
            wait = max(wait, min(timedelta(seconds=retry_after), self.retry_after_cap))
        return wait


@dataclass(frozen=True)
class Call:
    """What one claimed item needs once its session is closed."""

    item_id: int
    action: str
    key: str
    attempts: int
    payload: dict[str, Any]
    ticket_id: int
    backend: TicketBackend
    view: TicketView
    ref: ExternalRef | None


def make_call(call: Call) -> ExternalRef | None:
    backend, view, key = call.backend, call.view, call.key
    if call.action == "create":
        return backend.create(view, key)
    if call.action == "reopen":
        return backend.reopen(view, call.ref, key)
    if call.action == "comment":
        backend.comment(view, call.ref, str(call.payload.get("text") or ""), key)
        return None
    if call.action == "resolve":
        # enqueue_resolve writes the note; an item queued without one still names who resolved it.
        note = call.payload.get("note")
        actor = call.payload.get("actor")
        if not note and actor:
            note = f"Resolved in hwerror by {actor}."
        backend.resolve(view, call.ref, key, note=str(note) if note else None)
        return None
    raise BackendRejected(f"unknown outbox action {call.action!r}")
