"""A local Socket Mode endpoint speaking Slack's protocol over a websocket (RFC 6455), by hand.

Written on plain sockets so that a test can break the link the ways a network does: a TCP reset
(`Link.reset`), a half-open link (`Link.go_silent`: pings unanswered, optionally nothing read at
all), a clean close frame (`Link.close`) and Slack's own `disconnect` message (`Link.disconnect`).

Each accepted connection is a `Link`: it gets Slack's `hello`, answers pings with pongs, and
records every text frame the client sends (acks: `{"envelope_id": …, "payload": …}`).
`SocketModeServer.attach(fake)` makes FakeSlack's `apps.connections.open` hand out its URL.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from typing import Any

from testing.slack.server import FakeSlack

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, payload: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


class Link:
    """One client connection, from the server's side."""

    def __init__(self, sock: socket.socket, server: SocketModeServer) -> None:
        self.sock = sock
        self.server = server
        self.opened_at = time.monotonic()
        self.messages: list[dict[str, Any]] = []
        self.pings = 0
        self.answer_pings = True
        self.reading = threading.Event()
        self.reading.set()
        self.closed = False
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)

    # -- what a test does to the link ----------------------------------------------------------

    def send_json(self, message: dict[str, Any]) -> None:
        with self._send_lock:
            self.sock.sendall(_frame(TEXT, json.dumps(message).encode()))

    def envelope(self, kind: str, payload: dict[str, Any]) -> str:
        envelope_id = str(uuid.uuid4())
        self.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "accepts_response_payload": kind in ("slash_commands", "interactive"),
                "retry_attempt": 0,
                "retry_reason": "",
                "payload": payload,
            }
        )
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for m in self.messages:
                    if m.get("envelope_id") == envelope_id:
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no ack for {envelope_id}; got {self.messages[-3:]}")
                self._cond.wait(left)

    def reset(self) -> None:
        """A TCP reset: SO_LINGER 0 makes close() send RST instead of FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The reader thread's recv() holds the socket open past close(); SHUT_RD (which sends
        # nothing) wakes it, so the RST goes out now rather than at the client's next ping.
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RD)
        self._shut()

    def close(self, code: int = 1000, reason: str = "") -> None:
        with self._send_lock:
            self.sock.sendall(_frame(CLOSE, struct.pack("!H", code) + reason.encode()))
        self._shut()

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's notice that this connection will go: the client should open a new one now."""
        self.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-test"}})

    def go_silent(self, *, stop_reading: bool = False) -> None:
        """A half-open link: the socket stays up, but pings go unanswered (or are not even read)."""
        self.answer_pings = False
        if stop_reading:
            self.reading.clear()

    def _shut(self) -> None:
        self.closed = True
        self.reading.set()
        with contextlib.suppress(OSError):
            self.sock.close()

    # -- the server side of the protocol -------------------------------------------------------

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed by the client")
            data += chunk
        return data

    def _handshake(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("no handshake")
            request += chunk
        headers = dict(line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line)
        key = {k.lower(): v for k, v in headers.items()}["sec-websocket-key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        self.sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        self.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "applink-test", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0001"},
            }
        )

    def _next_frame(self) -> tuple[int, bytes]:
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        mask = self._read(4) if b1 & 0x80 else b"\0\0\0\0"
        data = bytes(c ^ mask[i % 4] for i, c in enumerate(self._read(n)))
        return b0 & 0x0F, data

    def _run(self) -> None:
        try:
            self._handshake()
            self.server._connected(self)
            while not self.closed:
                self.reading.wait()
                if self.closed:
                    break
                opcode, data = self._next_frame()
                if opcode == PING:
                    self.pings += 1
                    if self.answer_pings:
                        with self._send_lock:
                            self.sock.sendall(_frame(PONG, data))
                elif opcode == TEXT:
                    with self._cond:
                        self.messages.append(json.loads(data))
                        self._cond.notify_all()
                elif opcode == CLOSE:
                    break
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            self._shut()


class SocketModeServer:
    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.links: list[Link] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link/"

    def attach(self, fake: FakeSlack) -> SocketModeServer:
        fake.socket_url = self.url
        return self

    def __enter__(self) -> SocketModeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.listener.close()
        for link in list(self.links):
            link._shut()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                sock, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            sock.settimeout(None)
            Link(sock, self).thread.start()

    def _connected(self, link: Link) -> None:
        with self._cond:
            self.links.append(link)
            self._cond.notify_all()

    def wait_for_link(self, number: int, timeout: float = 10.0) -> Link:
        """The `number`-th connection (1 = the first), waiting up to `timeout` seconds for it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.links) < number:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"connection {number} did not arrive within {timeout}s")
                self._cond.wait(left)
            return self.links[number - 1]
