"""`hwerror outbox`: make the outbox's calls to the ticket backend, until stopped (or `--once`),
and list or requeue what gave up, of every kind: ticket calls, chat messages, kept requests.

("worker" is the Procfile's Socket Mode process; `hwerror worker` is kept, hidden, as an old name.)
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import console, engine_for_cli, fail, settings_or_fail

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.core.incidents.config import TicketSettings
    from bot.core.incidents.models import OutboxItem
    from bot.core.incidents.outbox.worker import OutboxWorker, RunSummary


def load_settings() -> TicketSettings:
    from bot.core.incidents.config import TicketSettings

    return settings_or_fail(TicketSettings)


def build_worker(settings: TicketSettings, engine: Engine) -> OutboxWorker:
    from bot.core.incidents.backends import make_backend
    from bot.core.incidents.outbox.calls import Backoff
    from bot.core.incidents.outbox.worker import OutboxWorker

    try:
        backend = make_backend(settings)
    except ImportError as exc:
        fail(f"the {settings.ticket_backend} backend needs a package that is not installed: {exc.name}")
    return OutboxWorker(
        engine,
        backend,
        max_attempts=settings.outbox_max_attempts,
        backoff=Backoff(base=settings.outbox_backoff_base, cap=settings.outbox_backoff_max),
        lease=settings.outbox_lease,
        secrets=settings.secret_values(),
    )


ONCE_HELP = "Process what is due now, print a one-line summary (done / retried / dead), exit."
DEAD_HELP = "List the items that gave up (ticket calls, chat messages, kept requests), with their errors."
REQUEUE_HELP = "Give every dead item a fresh set of attempts (after fixing the configuration), and exit."


def register(app: typer.Typer) -> None:
    @app.command("outbox")
    @app.command("worker", hidden=True, deprecated=True)
    def outbox_command(
        once: Annotated[bool, typer.Option("--once", help=ONCE_HELP)] = False,
        dead: Annotated[bool, typer.Option("--dead", help=DEAD_HELP)] = False,
        requeue: Annotated[bool, typer.Option("--requeue-dead", help=REQUEUE_HELP)] = False,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every call.")] = False,
    ) -> None:
        """Make the ticket backend calls in the outbox.

        Retries failures with backoff, until stopped (or --once).
        """
        from bot.core.incidents.outbox.queue import dead_items, requeue_dead
        from knowledge.db import transaction

        logging.basicConfig(
            level=logging.INFO if verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        settings = load_settings()
        with engine_for_cli() as engine:
            if dead or requeue:
                with transaction(engine) as session:
                    if requeue:
                        console.print(f"requeued {requeue_dead(session)} dead item(s)", highlight=False)
                        return
                    items = dead_items(session)
                    for item in items:
                        console.print(_dead_line(item), highlight=False, markup=False)
                    console.print(f"{len(items)} dead item(s)", highlight=False)
                return
            worker = build_worker(settings, engine)
            if once:
                summary = worker.run_once()
                _report(summary)
                return
            run_until_signalled(worker, settings.outbox_poll_interval.total_seconds())


def _dead_line(item: OutboxItem) -> str:
    if item.kind == "ticket":
        where = f"ticket {item.ticket_id}, {item.backend}"
    else:
        where = f"{item.kind}, {item.lane or item.idempotency_key}"
    return f"item {item.id} ({item.action}, {where}, {item.attempts} attempts): {item.last_error}"


def _report(summary: RunSummary) -> None:
    console.print(summary.line(), highlight=False, markup=False)
    for error in summary.errors:
        console.print(f"  dead: {error}", highlight=False, markup=False)


def run_until_signalled(worker: OutboxWorker, interval: float) -> None:
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        # Finish the call in hand (its outcome is written), then leave: nothing is half done.
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    console.print(
        f"worker: {worker.backend.name} backend, polling every {interval:g} s; SIGINT or SIGTERM stops it",
        highlight=False,
    )
    try:
        total = worker.run_forever(stop, interval, on_pass=_report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    console.print(f"worker stopped; {total.line()}", highlight=False, markup=False)
