"""Every Prometheus metric of hwerror, and the small functions the rest of the code calls.

One module so that names, labels and buckets are decided in one place. It imports no Slack
library (the core calls `observe_match`). Under gunicorn the metrics are in prometheus-client's
multiprocess mode: `hwerror serve --http` sets PROMETHEUS_MULTIPROC_DIR before anything imports
this module, and each worker writes its samples to files there that a scrape of any worker sums.

The outbox gauges are not kept in memory: a collector reads them from the database at scrape
time through `outbox_stats()`, which `register_outbox_stats` replaces.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select

if TYPE_CHECKING:
    from prometheus_client.core import GaugeMetricFamily

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # prometheus-client's CONTENT_TYPE_LATEST
KINDS = ("command", "event", "interaction", "shortcut", "view", "options", "other")


_made: SimpleNamespace | None = None
_making = threading.Lock()


def _metrics() -> SimpleNamespace:
    """The metrics, made at first use: prometheus-client reads PROMETHEUS_MULTIPROC_DIR when it is
    imported, and `hwerror serve` sets it after the core (which imports this module) is loaded."""
    global _made
    if _made is None:
        with _making:  # the first requests arrive together, on several threads
            if _made is None:
                _made = _make()
    return _made


def _make() -> SimpleNamespace:
    from prometheus_client import Counter, Histogram
    from prometheus_client.registry import REGISTRY

    REGISTRY.register(OutboxCollector())  # type: ignore[arg-type]
    return SimpleNamespace(
        requests=Counter(
            "hwerror_requests", "Slack requests handled, by kind and outcome", ["kind", "outcome"]
        ),
        ack_seconds=Histogram(
            "hwerror_ack_seconds",
            "Time from a Slack request's arrival to its acknowledgement",
            ["kind"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0),
        ),
        outbox_items=Counter(
            "hwerror_outbox_items",
            "Outbox items handled, by Web API method (or ticket backend) and outcome",
            ["method", "outcome"],
        ),
        slack_api_errors=Counter(
            "hwerror_slack_api_errors",
            "Slack Web API calls refused, by method and error",
            ["method", "error"],
        ),
        match_seconds=Histogram(
            "hwerror_match_seconds",
            "Time to match one text against the catalogue",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
        ),
    )


OutboxStats = Callable[[], dict[str, tuple[int, float]]]


def observe_request(kind: str, outcome: str, ack_seconds: float) -> None:
    kind = kind if kind in KINDS else "other"
    _metrics().requests.labels(kind=kind, outcome=outcome).inc()
    _metrics().ack_seconds.labels(kind=kind).observe(max(0.0, ack_seconds))


def outbox_delivered(method: str, outcome: str) -> None:
    _metrics().outbox_items.labels(method=method, outcome=outcome).inc()


def slack_api_error(method: str, error: str) -> None:
    _metrics().slack_api_errors.labels(method=method, error=error).inc()


def observe_match(seconds: float) -> None:
    _metrics().match_seconds.observe(max(0.0, seconds))


def kind_of(body: dict[str, object]) -> str:
    """The `kind` label of a Slack request body (HTTP) or Socket Mode payload."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback" or kind == "app_rate_limited" or kind == "url_verification":
        return "event"
    if kind in ("block_actions", "interactive_message"):
        return "interaction"
    if kind in ("shortcut", "message_action"):
        return "shortcut"
    if kind in ("view_submission", "view_closed"):
        return "view"
    if kind == "block_suggestion":
        return "options"
    return "other"


def outcome_of(status: int) -> str:
    """The `outcome` label of an HTTP status: ok (2xx), refused (4xx: Slack should not retry), error."""
    if status < 400:
        return "ok"
    return "refused" if status < 500 else "error"


# -- the outbox gauges, computed at scrape time -------------------------------------------------

_outbox_stats: OutboxStats | None = None


def register_outbox_stats(fn: OutboxStats | None) -> None:
    """`fn()` -> {kind: (pending items, age in seconds of the oldest)}; called at each scrape."""
    global _outbox_stats
    _outbox_stats = fn


def pending_by_kind(engine: Engine) -> OutboxStats:
    """The outbox's pending items and the age of the oldest, by kind (ticket, chat, answer)."""
    from bot.core.incidents.enums import OutboxKind, OutboxStatus
    from bot.core.incidents.models import OutboxItem

    def stats() -> dict[str, tuple[int, float]]:
        query = (
            select(OutboxItem.kind, func.count(OutboxItem.id), func.min(OutboxItem.created_at))
            .where(OutboxItem.status == OutboxStatus.PENDING)
            .group_by(OutboxItem.kind)
        )
        with engine.connect() as conn:
            rows = {kind: (count, oldest) for kind, count, oldest in conn.execute(query)}
        now = datetime.now(UTC)
        out = {}
        for kind in OutboxKind:
            count, oldest = rows.get(kind, (0, None))
            if (
                oldest is not None and oldest.tzinfo is None
            ):  # SQLite gives naive datetimes back; we store UTC
                oldest = oldest.replace(tzinfo=UTC)
            out[str(kind)] = (int(count), max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        return out

    return stats


class OutboxCollector:
    """A prometheus-client collector (it needs only `collect`)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from prometheus_client.core import GaugeMetricFamily

        depth = GaugeMetricFamily("hwerror_outbox_depth", "Outbox items waiting, by kind", labels=["kind"])
        age = GaugeMetricFamily(
            "hwerror_outbox_oldest_seconds", "Age of the oldest waiting outbox item, by kind", labels=["kind"]
        )
        fn = _outbox_stats
        if fn is not None:
            try:
                found = fn()
            except Exception:  # noqa: BLE001 - a scrape while the database is away still answers
                found = {}
            for kind, (count, oldest) in sorted(found.items()):
                depth.add_metric([kind], count)
                age.add_metric([kind], oldest)
        yield depth
        yield age


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition() -> bytes:
    """The text a scrape gets: every process's samples (multiprocess mode) and the outbox gauges."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.registry import REGISTRY

    _metrics()  # every series is named even before its first sample
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(OutboxCollector())  # type: ignore[arg-type]
        return generate_latest(registry)
    return generate_latest(REGISTRY)  # one process (Socket Mode): its own metrics


def mark_process_dead(pid: int) -> None:
    """gunicorn's child_exit: the dead worker's live gauges are dropped (its counters stay summed)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
