"""Socket Mode that reconnects in seconds: slack_sdk's built-in client, tuned, plus backoff.

Which client. Bolt's sync app can use slack_sdk's built-in client or its websocket-client adapter
(aiohttp and websockets need the asyncio app). The websocket-client adapter runs
`run_forever(ping_interval=…)` without a `ping_timeout`, so it never notices a half-open link.
The built-in client notices all three failures:

- a TCP reset: the receiving thread gets the error and closes the session; the monitor, every
  `ping_interval`, sees it closed and reconnects;
- a half-open link (Slack silent, or no longer reading): the monitor pings every `ping_interval`
  and drops a session with no pong for more than 4 x `ping_interval`, then reconnects at once;
- a close frame or a `disconnect` message: it reconnects at once.

Bolt's default `ping_interval` is 10 s: 40-50 s to notice a half-open link, and a reset noticed
only at the next 10 s tick. We use 1 s (HWERROR_SOCKET_PING_INTERVAL): a reset costs at most ~1 s,
a half-open link ~5-6 s; a ping a second is a few bytes.

What no setting gives: backoff. When `apps.connections.open` fails (Slack down, 5xx, a network
error) the built-in monitor retries at every tick, forever, logging a traceback-free error each
time, and at start-up the first failure ends the process. `ReconnectingClient` retries with
exponential backoff (0.5 s doubling to 30 s, one warning line per failure), and
`SocketModeHandler.connect` does the same for the first connection instead of dying.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.slack import observe

log = logging.getLogger("hwerror.socket_mode")

PING_INTERVAL = 1.0
FIRST_DELAY, MAX_DELAY = 0.5, 30.0


def socket_settings() -> dict[str, Any]:
    value = os.environ.get("HWERROR_SOCKET_PING_INTERVAL", "").strip()
    return {"ping_interval": float(value) if value else PING_INTERVAL}


class Backoff:
    def __init__(self, first: float = FIRST_DELAY, most: float = MAX_DELAY) -> None:
        self.first, self.most = first, most
        self.failures = 0
        self.until = 0.0

    def waiting(self) -> bool:
        return time.monotonic() < self.until

    def failed(self) -> float:
        delay = min(self.most, self.first * 2**self.failures)
        self.failures += 1
        self.until = time.monotonic() + delay
        return delay

    def succeeded(self) -> None:
        self.failures, self.until = 0, 0.0


class ReconnectingClient(SocketModeClient):
    """The built-in client, whose reconnects back off when Slack will not give a new connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Set before super().__init__: it starts the threads that call the methods below.
        self.backoff = Backoff()
        self._forced = False
        super().__init__(*args, **kwargs)

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        if self.closed:
            return
        # A forced reconnect (Slack's `disconnect`) that failed stays owed until one succeeds; it is
        # owed only after a failure, so a monitor tick during a forced reconnect in flight does not
        # force a second one (which would close the connection just opened).
        force = force or self._forced
        if self.backoff.waiting():
            self._forced = force
            return  # the timer set by _retry_later calls again
        try:
            super().connect_to_new_endpoint(force=force)
        except Exception as exc:  # noqa: BLE001 - any failure to reconnect is retried later
            self._forced = force
            self._retry_later(f"{type(exc).__name__}: {exc}")
            return
        if self.is_connected():
            self.backoff.succeeded()
            self._forced = False
        else:
            self._forced = force
            self.wss_uri = None  # a URL whose handshake failed is not tried again
            self._retry_later("the websocket handshake failed")

    def _retry_later(self, reason: str) -> None:
        delay = self.backoff.failed()
        log.warning("Socket Mode: no new connection (%s); trying again in %.1fs", reason, delay)
        # On time, not at the monitor's next tick (which would round every delay up to ping_interval).
        timer = threading.Timer(delay, self.connect_to_new_endpoint)
        timer.daemon = True
        timer.start()

    def _on_close(self, code: int, reason: str | None = None) -> None:
        # The built-in client reconnects on a close frame only if the session already looks
        # closed, and closes it just after: so the reconnect waited for the monitor's next tick.
        if self.current_session is not None:
            self.current_session.disconnect()
        super()._on_close(code, reason)


class SocketModeHandler(BaseSocketModeHandler):
    """Bolt's built-in Socket Mode handler, on `ReconnectingClient`, with a log line per request."""

    def __init__(self, app: App, app_token: str, *, ping_interval: float = PING_INTERVAL) -> None:
        self.app = app
        self.client = ReconnectingClient(
            app_token=app_token,
            logger=app.logger,
            web_client=app.client,
            ping_interval=ping_interval,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    def connect(self) -> None:
        """The first connection, retried with backoff until it succeeds (then the monitor keeps it)."""
        backoff = Backoff()
        while not self.client.closed:
            try:
                self.client.connect()
            except Exception as exc:  # noqa: BLE001 - Slack unreachable at start: wait, do not exit
                self.client.wss_uri = None  # type: ignore[assignment]
                delay = backoff.failed()
                log.warning(
                    "Socket Mode: cannot connect (%s: %s); trying again in %.1fs",
                    type(exc).__name__,
                    exc,
                    delay,
                )
                time.sleep(delay)
                continue
            return  # connected, or the monitor (now running) retries a failed handshake

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.perf_counter()
        response = run_bolt_app(self.app, req)
        status = "ack" if response.status == 200 else f"no-ack {response.status}"
        outcome = "ok" if response.status == 200 else "error"
        try:
            send_response(client, req, response, started)
        except Exception as exc:  # noqa: BLE001 - the link went down: Slack redelivers what is not acked
            outcome, status = "error", f"ack lost ({type(exc).__name__})"
        observe.record(req.payload or {}, outcome, time.perf_counter() - started, status=status)
