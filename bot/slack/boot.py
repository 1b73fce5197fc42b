"""Start-up that never crash-loops: `auth.test` once, before any worker exists.

A refused token (`invalid_auth`, `not_authed`, `account_inactive`, …) will not fix itself: it is
one line naming SLACK_BOT_TOKEN and exit status 2. Anything else (Slack unreachable, 5xx,
`ratelimited`, a timeout) is waited out with backoff while the process stays up: in HTTP mode
`StartingServer` answers `/healthz` with 503 `{"ok": false, "status": "starting"}` meanwhile, on
the sockets gunicorn will serve from, so a platform's health check sees a process that is coming.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

log = logging.getLogger("hwerror.boot")

REFUSED_TOKEN = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
FIRST_DELAY, MAX_DELAY = 0.5, 30.0


class TokenRefused(Exception):
    """Slack refused SLACK_BOT_TOKEN: retrying cannot help."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error

    def line(self) -> str:
        return (
            f"error: Slack refused SLACK_BOT_TOKEN ({self.error}): copy the Bot User OAuth Token (xoxb-…) "
            "again from OAuth & Permissions, or reinstall the app"
        )


def wait_for_auth(
    client: WebClient, *, sleep: Callable[[float], None] = time.sleep, max_delay: float = MAX_DELAY
) -> SlackResponse:
    """`auth.test`'s answer, retried with backoff (0.5 s doubling to `max_delay`) until Slack gives one."""
    delay = FIRST_DELAY
    while True:
        try:
            return client.auth_test()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error in REFUSED_TOKEN:
                raise TokenRefused(error) from None
            reason = f"HTTP {exc.response.status_code} {error or 'no error'}"
        except Exception as exc:  # noqa: BLE001 - unreachable, reset, timed out: Slack is coming back
            reason = type(exc).__name__
        log.warning("Slack did not answer auth.test (%s); trying again in %.1fs", reason, delay)
        sleep(delay)
        delay = min(max_delay, delay * 2)


class _Starting(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: nothing is left open at hand-over

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        data = json.dumps({"ok": False, "status": "starting"}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Retry-After", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_HEAD = _answer


class StartingServer:
    """503 "starting" on already-listening sockets (gunicorn's), until `stop()`; the sockets stay open."""

    def __init__(self, sockets: list[socket.socket]) -> None:
        self.servers = []
        for sock in sockets:
            server = HTTPServer(("", 0), _Starting, bind_and_activate=False)
            server.socket = sock
            server.timeout = 0.2
            self.servers.append(server)
        self.threads = [
            threading.Thread(target=s.serve_forever, args=(0.1,), daemon=True) for s in self.servers
        ]

    def __enter__(self) -> StartingServer:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers:
            server.shutdown()  # not server_close(): gunicorn serves from these sockets next
        for thread in self.threads:
            thread.join()
