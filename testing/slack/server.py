"""A local Slack for end-to-end tests: a Web API and response_url server that records every call.

`FakeSlack` answers `auth.test`, `chat.postMessage`, `chat.postEphemeral`, `chat.update`,
`views.open`, `conversations.replies` / `conversations.history` (the messages posted, with their
metadata) (under /api/) and response_url posts (under /response/) the way Slack does. It can be
told to answer a method with a 429 and a Retry-After, or with an error such as `not_in_channel`;
to hold each channel to one `chat.postMessage` per interval (429 + Retry-After beyond, as Slack
does); and to hang: act on a call, then answer only after a delay (a client times out first).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from testing.slack.requests import BOT_ID, BOT_TOKEN, BOT_USER_ID, TEAM_ID


@dataclass
class Call:
    method: str  # "chat.postMessage", … or "response_url"
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    answered: int = 200
    answer: Any = None


@dataclass
class Rule:
    method: str
    match: Callable[[dict[str, Any]], bool]
    status: int = 429
    body: dict[str, Any] | None = None
    retry_after: int | None = 1
    times: int = 1


class FakeSlack:
    def __init__(self, port: int = 0) -> None:
        self.calls: list[Call] = []
        self.uploads: dict[str, bytes] = {}
        self.files: dict[str, bytes] = {}  # served at url_private: /files/<name>, to the bot token only
        self.rules: list[Rule] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel → messages posted, in order
        self.channel_interval: float | None = None  # seconds between two posts to one channel
        self._last_post: dict[str, float] = {}
        self.hangs: list[tuple[str, float]] = []  # (method, seconds): the next calls of it hang
        self.socket_url: str | None = None  # what apps.connections.open hands out (socket_mode.py)
        self._tickets = 0
        self._cond = threading.Condition()
        self._ts = 1700000000.000100
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                name = self.path.removeprefix("/files/")
                authorised = self.headers.get("Authorization") == f"Bearer {BOT_TOKEN}"
                data = fake.files.get(name) if self.path.startswith("/files/") and authorised else None
                with fake._cond:
                    fake.calls.append(
                        Call(
                            "files.download", self.path, {}, dict(self.headers), answered=200 if data else 404
                        )
                    )
                    fake._cond.notify_all()
                hang = fake._hang("files.download")
                if hang:
                    time.sleep(hang)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

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
                hang = fake._hang(self.path.removeprefix("/api/"))
                if hang:
                    time.sleep(hang)  # acted on, answered late: the caller has timed out by now
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def host_file(self, name: str, content: str | bytes) -> str:
        """Serve `content` as a Slack file's private URL (the bot token is required to read it)."""
        self.files[name] = content.encode() if isinstance(content, str) else content
        return f"{self.url}/files/{name}"

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

    def limit_channels(self, interval: float = 1.0) -> None:
        """One chat.postMessage per channel and `interval` seconds; faster ones get a 429."""
        self.channel_interval = interval

    def hang(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` are acted on, then answered after `seconds`."""
        with self._cond:
            self.hangs += [(method, seconds)] * times

    def _hang(self, method: str) -> float:
        with self._cond:
            for i, (m, seconds) in enumerate(self.hangs):
                if m == method:
                    del self.hangs[i]
                    return seconds
        return 0.0

    def _rate_limited(self, method: str, body: dict[str, Any]) -> int | None:
        """The Retry-After for a post over the channel's rate, or None."""
        if method != "chat.postMessage" or self.channel_interval is None:
            return None
        channel, now = str(body.get("channel")), time.monotonic()
        last = self._last_post.get(channel)
        # A tenth of the interval is forgiven, as Slack lets short bursts through.
        if last is not None and now - last < self.channel_interval * 0.9:
            return max(1, int(self.channel_interval - (now - last) + 0.999))
        self._last_post[channel] = now
        return None

    def _next_ts(self) -> str:
        self._ts += 0.0001
        return f"{self._ts:.6f}"

    def _answer(
        self, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        method = "response_url" if path.startswith("/response/") else path.removeprefix("/api/")
        with self._cond:
            status, answer, extra = 200, None, {}
            matched = next(
                (r for r in self.rules if r.method == method and r.times > 0 and r.match(body)), None
            )
            limited = None if matched else self._rate_limited(method, body)
            if limited is not None:
                status, answer, extra = (
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(limited)},
                )
            elif matched is None:
                answer = self._ok(method, body)
            if matched is not None:
                matched.times -= 1
                status = matched.status
                answer = matched.body or {"ok": False, "error": "ratelimited"}
                if matched.retry_after is not None:
                    extra["Retry-After"] = str(matched.retry_after)
            self.calls.append(Call(method, path, body, headers, answered=status, answer=answer))
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
            posted: dict[str, Any] = {"type": "message", "bot_id": BOT_ID, "text": body.get("text"), "ts": ts}
            if body.get("thread_ts"):
                posted["thread_ts"] = body["thread_ts"]
            if body.get("metadata"):
                posted["metadata"] = body["metadata"]
            self.messages.setdefault(str(body.get("channel")), []).append(posted)
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": ts,
                "message": {"type": "message", "bot_id": BOT_ID, "text": body.get("text"), "ts": ts},
            }
        if method in ("conversations.replies", "conversations.history"):
            history = self.messages.get(str(body.get("channel")), [])
            if method == "conversations.replies":
                thread = body.get("ts")
                history = [m for m in history if m.get("thread_ts") == thread or m["ts"] == thread]
            else:
                history = [m for m in history if not m.get("thread_ts")]
            return {"ok": True, "messages": history, "has_more": False}
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
            self._tickets += 1
            base = self.socket_url or f"ws://127.0.0.1:{self.server.server_address[1]}/socket-mode"
            return {"ok": True, "url": f"{base}?ticket={self._tickets}"}
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
