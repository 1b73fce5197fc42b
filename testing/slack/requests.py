"""Requests as Slack sends them: signed (`sign` computes X-Slack-Signature exactly as Slack does), as
forms, events and interactions, to a real `hwerror serve` process (`AppProcess`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from testing.slack.server import FakeSlack


BOT_USER_ID = "UBOT"


BOT_ID = "BBOT"


TEAM_ID = "T0001"


SIGNING_SECRET = "test-signing-secret-0123456789"


BOT_TOKEN = "xoxb-test-token-abcdef"


FORM = "application/x-www-form-urlencoded"


JSON = "application/json"


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Response:
    status: int
    body: str
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body)


def http(
    url: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
    timeout: float = 15,
) -> Response:
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    start = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, resp.read().decode(), time.monotonic() - start)
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read().decode(), time.monotonic() - start)


def form_body(fields: dict[str, str]) -> str:
    return urlencode(fields)


def slash_fields(
    text: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    response_url: str = "",
    user_name: str = "alice",
    trigger_id: str | None = None,
) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "support",
        "user_id": user,
        "user_name": user_name,
        "command": "/hwerror",
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or f"1337.{uuid.uuid4().hex[:10]}",
    }


def event_body(event: dict[str, Any], *, event_id: str, kind: str = "event_callback") -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0001",
            "event": event,
            "type": kind,
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"ctx-{event_id}",
        }
    )


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppProcess:
    """`hwerror serve` in HTTP mode, as a real process, talking to a FakeSlack."""

    def __init__(
        self, *, db_url: str, slack: FakeSlack, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HWERROR_"))}
        self.env.update(
            {
                "DATABASE_URL": db_url,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_BASE_URL": slack.api_url,
                "PORT": str(self.port),
                "WEB_CONCURRENCY": "2",
                "NO_COLOR": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.env.update(env or {})
        self.cwd = cwd
        self.proc: subprocess.Popen[str] | None = None
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"hwerror-serve-{self.port}.log"

    def launch(self) -> AppProcess:
        """Start the process without waiting for it to be healthy."""
        self._log = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "serve"],
            env=self.env,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return self

    def start(self, timeout: float = 30) -> AppProcess:
        self.launch()
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hwerror serve exited: {self.output()}")
            try:
                if http(self.url + "/healthz", timeout=2).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"hwerror serve did not come up: {self.output()}")

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def post(
        self, body: str, *, content_type: str, headers: dict[str, str] | None = None, signed: bool = True
    ) -> Response:
        h = {"Content-Type": content_type}
        if signed:
            h.update(sign(body))
        h.update(headers or {})
        return http(self.url + "/slack/events", body, h, method="POST")

    def command(self, text: str, **kw: Any) -> Response:
        return self.post(form_body(slash_fields(text, **kw)), content_type=FORM)

    def event(self, event: dict[str, Any], *, event_id: str, retry: int | None = None) -> Response:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(event_body(event, event_id=event_id), content_type=JSON, headers=headers)

    def interact(self, payload: dict[str, Any]) -> Response:
        return self.post(interaction_body(payload), content_type=FORM)


# -- what a test sends ------------------------------------------------------------------------

_seq = itertools.count(1)


def uniq(prefix: str) -> str:
    return f"{prefix}{next(_seq):04d}{uuid.uuid4().hex[:4].upper()}"


def new_ts() -> str:
    return f"{int(time.time())}.{next(_seq):06d}"


def message(
    channel: str, text_: str, *, ts: str | None = None, user: str = "U1", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text_,
        "ts": ts or new_ts(),
        "channel_type": "channel",
        **extra,
    }


def block_actions(
    action: dict[str, Any],
    *,
    user: str,
    channel: str,
    response_url: str,
    message_: dict[str, Any] | None,
    ephemeral: bool,
) -> dict[str, Any]:
    ts = (message_ or {}).get("ts") or new_ts()
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": f"trigger-{uuid.uuid4().hex[:8]}",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
        "channel": {"id": channel, "name": "support"},
        "response_url": response_url,
        "actions": [_pressed(action)],
    }
    if message_ is not None:
        payload["message"] = message_
    return payload


def _pressed(action: dict[str, Any]) -> dict[str, Any]:
    """A button as Slack reports its press, or a select (an `options` element, with the option
    chosen in `_chosen`) as Slack reports a choice."""
    base = {"action_id": action["action_id"], "block_id": action["_block"], "action_ts": str(time.time())}
    if action.get("type") == "static_select":
        return {**base, "type": "static_select", "selected_option": action["_chosen"]}
    return {**base, "type": "button", "value": action["value"], "text": action["text"]}
