"""A database that hangs (a partition) must not hang the bot: connect and statement timeouts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from knowledge.db import make_engine


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word, as a partitioned server does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for s in held:
        s.close()
    server.close()


def test_a_postgresql_server_that_never_answers_fails_the_connect_within_the_timeout(
    silent_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HWERROR_DB_CONNECT_TIMEOUT", "1")
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{silent_port}/test")
    started = time.monotonic()
    with pytest.raises(OperationalError), engine.connect():
        pass
    assert time.monotonic() - started < 5


def test_every_postgresql_engine_has_a_statement_timeout_and_keeps_the_urls_options(
    engine: Engine, db_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_kind != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setenv("HWERROR_DB_STATEMENT_TIMEOUT", "0.5")
    short = make_engine(engine.url.render_as_string(hide_password=False))
    with short.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "500ms"
        path = conn.execute(text("SHOW search_path")).scalar()
        assert path and path.startswith("t_"), path  # the test schema from the URL's options
        with pytest.raises(OperationalError):
            conn.execute(text("SELECT pg_sleep(3)"))
    short.dispose()
