"""Cutting a test's database away from the app, as a partition or an outage would.

`Partition(target_port)` listens on a port of its own and forwards every connection to the target
(PostgreSQL, in the tests). `cut()` stops every byte in both directions and accepts new
connections without ever forwarding them, which is what a client sees when a router drops its
packets: no refusal, no reset, only silence. `drop()` is a server gone away instead: every open
connection is closed and new ones are closed at once. `restore()` lets traffic through again.
For SQLite, `sqlite_locked(path)` holds the file's write lock, so the app's writes fail with
"database is locked" once its busy timeout runs out.
"""

from __future__ import annotations

import contextlib
import select
import socket
import sqlite3
import threading
from collections.abc import Iterator

from sqlalchemy.engine import make_url


class Partition:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.open = threading.Event()
        self.open.set()
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self.refusing = False
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    def cut(self) -> None:
        self.open.clear()

    def drop(self) -> None:
        self.refusing = True
        for s in list(self._held):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
                s.close()
        self._held.clear()

    def restore(self) -> None:
        self.refusing = False
        self.open.set()

    def url(self, url: str) -> str:
        """`url` (a PostgreSQL URL) through this forwarder."""
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def __enter__(self) -> Partition:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.open.set()
        self.listener.close()
        for s in self._held:
            with contextlib.suppress(OSError):
                s.close()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            if self.refusing:
                client.close()
                continue
            self._held.append(client)
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        self.open.wait()  # a connection made during a cut is never forwarded
        if self._stop.is_set():
            return
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        self._held.append(server)
        peers = {client: server, server: client}
        try:
            while not self._stop.is_set():
                if not self.open.is_set():
                    self.open.wait(0.2)  # data waits in the kernel's buffers, as at a dead router
                    continue
                ready, _, _ = select.select(list(peers), [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    peers[s].sendall(data)
        except (OSError, ValueError):  # ValueError: a socket `drop()` closed under select()
            return
        finally:
            client.close()
            server.close()


@contextlib.contextmanager
def sqlite_locked(path: str) -> Iterator[None]:
    """Hold the SQLite file's write lock until the block ends."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()
