"""A local Slack for end-to-end tests: a Web API and response_url server that records every call,
and a real `hwerror serve` process to send signed requests to.

`FakeSlack` answers `auth.test`, `chat.postMessage`, `chat.postEphemeral`, `chat.update`,
`views.open` (under /api/) and response_url posts (under /response/) the way Slack does, and can be
told to answer a method with a 429 and a Retry-After, or with an error such as `not_in_channel`.
`sign` produces the X-Slack-Signature headers exactly as Slack computes them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-abcdef"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class Call:
    method: str  # "chat.postMessage", … or "response_url"
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    answered: int = 200


@dataclass
class Rule:
    method: str
    match: Callable[[dict[str, Any]], bool]
    status: int = 429
    body: dict[str, Any] | None = None
    retry_after: int | None = 1
    times: int = 1


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.uploads: dict[str, bytes] = {}
        self.rules: list[Rule] = []
        self._cond = threading.Condition()
        self._ts = 1700000000.000100
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data_in = self.rfile.read(length)
                if self.path.startswith("/upload/"):
                    # files_upload_v2's second step: the file's bytes, to the URL we handed out.
                    fake.uploads[self.path.removeprefix("/upload/")] = data_in
                    data_in = b""
                raw = data_in.decode("utf-8")
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                body: dict[str, Any] = (
                    json.loads(raw)
                    if ctype == "application/json" and raw
                    else dict(parse_qsl(raw, keep_blank_values=True))
                )
                status, answer, extra = fake._answer(self.path, body, dict(self.headers))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    def __enter__(self) -> FakeSlack:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- behaviour ---------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        match: Callable[[dict[str, Any]], bool] = lambda b: True,
        *,
        status: int = 429,
        body: dict[str, Any] | None = None,
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        with self._cond:
            self.rules.append(Rule(method, match, status, body, retry_after, times))

    def _next_ts(self) -> str:
        self._ts += 0.0001
        return f"{self._ts:.6f}"

    def _answer(
        self, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        method = "response_url" if path.startswith("/response/") else path.removeprefix("/api/")
        with self._cond:
            status, answer, extra = 200, self._ok(method, body), {}
            for rule in self.rules:
                if rule.method == method and rule.times > 0 and rule.match(body):
                    rule.times -= 1
                    status = rule.status
                    answer = rule.body or {"ok": False, "error": "ratelimited"}
                    if rule.retry_after is not None:
                        extra["Retry-After"] = str(rule.retry_after)
                    break
            self.calls.append(Call(method, path, body, headers, answered=status))
            self._cond.notify_all()
        return status, answer, extra

    def _ok(self, method: str, body: dict[str, Any]) -> Any:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "hwerror",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = self._next_ts()
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": ts,
                "message": {"type": "message", "bot_id": BOT_ID, "text": body.get("text"), "ts": ts},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": body.get("ts"),
                "text": body.get("text"),
            }
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0001", **(body.get("view") or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.server.server_address[1]}/socket-mode"}
        if method == "response_url":
            return {"ok": True}
        if method == "views.publish":
            return {
                "ok": True,
                "view": {
                    "id": "V0002",
                    **(
                        json.loads(body["view"])
                        if isinstance(body.get("view"), str)
                        else body.get("view") or {}
                    ),
                },
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.uploads) + len(self.calls):04d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method.startswith("/upload/"):
            return {"ok": True}
        if method == "files.completeUploadExternal":
            files = json.loads(body["files"]) if isinstance(body.get("files"), str) else body.get("files", [])
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": False, "error": "unknown_method"}

    # -- looking at what happened ------------------------------------------------------------------

    def find(self, method: str, match: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method and match(c)]

    def wait_for(
        self,
        method: str,
        match: Callable[[Call], bool] = lambda c: True,
        *,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and match(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} {method} call(s), got {len(found)}: "
                        f"{[c.body for c in self.calls][-5:]}"
                    )
                self._cond.wait(left)


# -- signing and sending -------------------------------------------------------------------------


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


# -- the app under test --------------------------------------------------------------------------


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

    def start(self, timeout: float = 30) -> AppProcess:
        self._log = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "serve"],
            env=self.env,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
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


# -- checks on what the bot sent --------------------------------------------------------------------

DOC_LINK = re.compile(r"<https://support\.huaweicloud\.com/[^<>|\s]*\|Documentation>")


def texts(node: Any) -> Iterator[str]:
    """Every string a person could see in a message or blocks (and the fallback text)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "title", "label", "placeholder") and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def _parsed_texts(node: Any) -> Iterator[str]:
    """The strings Slack parses for mentions and links: all but plain_text objects."""
    if isinstance(node, dict):
        if node.get("type") == "plain_text":
            return
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _parsed_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _parsed_texts(item)


def assert_inert(message: dict[str, Any]) -> None:
    """No mention, broadcast or link in anything Slack parses, but our own documentation link.
    (plain_text objects, such as headers and button labels, are shown as typed and never parsed.)"""
    for text in _parsed_texts(message):
        cleaned = DOC_LINK.sub("", text)
        assert "<!" not in cleaned and "<@" not in cleaned and "<#" not in cleaned, text
        assert "<http" not in cleaned and "<mailto" not in cleaned, text


def assert_block_kit_limits(message: dict[str, Any]) -> None:
    blocks = message.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    assert blocks and len(blocks) <= 50
    assert 0 < len(message.get("text") or "") <= 40_000
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    for b in blocks:
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
        if b["type"] == "section":
            if "text" in b:
                assert len(b["text"]["text"]) <= 3000
            assert len(b.get("fields", [])) <= 10
            for f in b.get("fields", []):
                assert len(f["text"]) <= 2000
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            ids = [e["action_id"] for e in b["elements"]]
            assert len(ids) == len(set(ids))
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75 and len(e.get("value", "")) <= 2000
        if b["type"] == "context":
            assert len(b["elements"]) <= 10


def headers_of(message: dict[str, Any]) -> list[str]:
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [b["text"]["text"] for b in blocks if b["type"] == "header"]


def buttons_of(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """action_id → button (the first one with that id), and the block it sits in as `_block`."""
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    out: dict[str, dict[str, Any]] = {}
    for b in blocks:
        if b["type"] == "actions":
            for e in b["elements"]:
                out.setdefault(e["action_id"], {**e, "_block": b["block_id"]})
    return out


def all_text(message: dict[str, Any]) -> str:
    return "\n".join(texts(message))
