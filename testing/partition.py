"""A TCP forwarder that can be cut like a partitioned network: connections stay open, nothing moves.

`Partition(target_port)` listens on a port of its own and forwards every connection to the target
(PostgreSQL, in the tests). `cut()` stops every byte in both directions and accepts new
connections without ever forwarding them, which is what a client sees when a router drops its
packets: no refusal, no reset, only silence. `restore()` lets traffic through again.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading


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
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    def cut(self) -> None:
        self.open.clear()

    def restore(self) -> None:
        self.open.set()

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
        except OSError:
            return
        finally:
            client.close()
            server.close()
