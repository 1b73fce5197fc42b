"""The checks a Slack HTTP request passes before Bolt parses it (see bot/slack/server.py).

slack-bolt reads any body whole, verifies its signature after parsing it, answers 500 to a
timestamp header that is not an integer, and logs a request whose signature fails with its whole
body at INFO: pasted credentials, and 100 MB of log for a 100 MB request. The gate reads at most
`max_body` bytes, verifies the signature with slack_sdk's `SignatureVerifier` itself, and logs only
the request's size and the verdict.

Replays: a signed interaction (a button press, a modal) or a command that changes something
(`/hwerror resolve`) is acted on once; a lookup is not guarded, since answering it twice is
harmless. Slack signs each delivery afresh, so the same timestamp and signature twice is a copy of
one request; its digest is a row in `signed_requests`, whose primary key decides across processes.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import Clock, SignatureVerifier
from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError

from bot.core.models import SignedRequest
from bot.core.team import WRITING_COMMANDS, parse
from knowledge.clock import utcnow
from knowledge.db import session_factory

if TYPE_CHECKING:
    from wsgiref.types import WSGIEnvironment

log = logging.getLogger("hwerror.server")

REPLAY_WINDOW = timedelta(minutes=5)  # Slack's own: older signatures are refused anyway
_PRUNE_EVERY = 200  # requests between deletions of digests older than the window
_READ_CHUNK = 64 * 1024
_EVENTS = frozenset({"event_callback", "url_verification", "app_rate_limited"})


def _header(headers: Mapping[str, str | Sequence[str]], name: str) -> str:
    value = headers.get(name)
    if isinstance(value, str):
        return value
    return str(value[0]) if value else ""


def request_kind(body: dict[str, Any]) -> str:
    """What a request is, for a log line: never its content."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) and kind.isidentifier() and len(kind) < 40 else "unknown"


def well_formed(body: object) -> bool:
    """The shapes Slack sends: an object, whose `event`, `payload` parts (if any) are objects too."""
    if not isinstance(body, dict):
        return False
    for part in ("event", "view", "message", "container", "user", "team", "channel"):
        if part in body and body[part] is not None and not isinstance(body[part], dict):
            return False
    actions = body.get("actions")
    return actions is None or (isinstance(actions, list) and all(isinstance(a, dict) for a in actions))


class RequestGate:
    def __init__(
        self,
        signing_secret: str | None,
        engine: Engine,
        *,
        max_body: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(clock)) if signing_secret else None
        self.sessions = session_factory(engine)
        self.max_body = max_body
        self._count = itertools.count()

    def read(
        self, environ: WSGIEnvironment, headers: Mapping[str, str | Sequence[str]]
    ) -> str | BoltResponse:
        """The body, if it is small enough and signed; otherwise the response that refuses it."""
        raw_length = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if not raw_length.isdigit():
            return refused(400, "bad Content-Length", 0)
        length = int(raw_length)
        if length > self.max_body:
            return refused(413, f"body over {self.max_body} bytes, not read", length)
        body = _read(environ, length)
        if self.verifier is None:
            return body
        timestamp = _header(headers, "x-slack-request-timestamp")
        signature = _header(headers, "x-slack-signature")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 12):
            return refused(401, "timestamp is not an integer", len(body))
        if not self.verifier.is_valid(body, timestamp, signature):
            return refused(401, "bad or stale signature", len(body))
        return body

    def first_time(self, req: BoltRequest) -> bool:
        """False when this signed command or interaction has been acted on already."""
        if self.verifier is None or ("command" not in req.body and req.body.get("type") in _EVENTS):
            return True  # events: Slack's retries are new deliveries, and claims answer each once
        if "command" in req.body and not _changes_something(str(req.body.get("text") or "")):
            # A lookup read twice is answered twice and recorded once (its incident is keyed by the
            # trigger id): no write on the command's path, which on SQLite would queue every command.
            return True
        timestamp = _header(req.headers, "x-slack-request-timestamp")
        signature = _header(req.headers, "x-slack-signature")
        digest = hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
        now = utcnow()
        with self.sessions() as session:
            if next(self._count) % _PRUNE_EVERY == 0:
                session.execute(delete(SignedRequest).where(SignedRequest.seen_at < now - 2 * REPLAY_WINDOW))
            session.add(SignedRequest(digest=digest, seen_at=now))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True


def _changes_something(text: str) -> bool:
    """The sub-commands that write: a replay of them must not act twice."""
    command = parse(text)
    return command is not None and command.name in WRITING_COMMANDS


class _Clock(Clock):
    """slack_sdk's verifier asks a `Clock` object for the time."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


def _read(environ: WSGIEnvironment, length: int) -> str:
    stream = environ.get("wsgi.input")
    if stream is None or length == 0:
        return ""
    chunks, left = [], length
    while left > 0:
        chunk = stream.read(min(left, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def refused(status: int, verdict: str, size: int) -> BoltResponse:
    log.info("refused request (%d bytes): %s", size, verdict)
    return BoltResponse(status=status, body="")
