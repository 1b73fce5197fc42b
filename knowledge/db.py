"""Database URLs, engines and sessions.

SQLite is the default so `hwerror` runs with no server; PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_PATH = Path("hwerror.db")
# A partitioned database makes connections hang rather than fail: every engine gives up on a
# connection after CONNECT_TIMEOUT and on a statement after STATEMENT_TIMEOUT (PostgreSQL), and
# SQLite waits at most SQLITE_TIMEOUT for a lock. `HWERROR_DB_*` override them (seconds).
CONNECT_TIMEOUT = 5
STATEMENT_TIMEOUT = 30
SQLITE_TIMEOUT = 5


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def default_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalise_url(url: str) -> URL:
    """Accept the `postgres://` and `postgresql://` forms hosting platforms hand out.

    SQLAlchemy dropped the `postgres` alias and would pick psycopg2 for `postgresql://`;
    we ship psycopg 3, so both become `postgresql+psycopg://`.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def mask_url(url: str | URL) -> str:
    """The URL as it may be shown to a person: the password replaced by ***."""
    try:
        parsed = url if isinstance(url, URL) else make_url(str(url))
    except Exception:  # noqa: BLE001 - an unparsable URL is shown without anything after '@'
        text = str(url)
        return text.split("@")[-1] if "@" in text else text
    return parsed.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets the web and worker processes read while one writes; the busy timeout turns
    # "database is locked" into a short wait.
    cursor.execute("PRAGMA journal_mode=WAL")
    # The same wait as the driver's own `timeout` (HWERROR_DB_SQLITE_TIMEOUT), not a second one.
    busy_ms = int(_seconds("HWERROR_DB_SQLITE_TIMEOUT", SQLITE_TIMEOUT) * 1000)
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # pysqlite's own transaction handling is switched off so that ours (BEGIN IMMEDIATE) runs.
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
    # A deferred transaction that reads and then writes cannot wait for another writer: SQLite
    # answers "database is locked" at once. Taking the write lock at BEGIN makes concurrent
    # writers (threads of the web server, the worker) queue behind busy_timeout instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


SUPPORTED = "SQLite (sqlite:///hwerror.db) and PostgreSQL (postgresql://user:password@host/db)"


class UnsupportedDatabase(ValueError):
    """A URL for a database hwerror does not run on (MySQL, Oracle, …)."""


def make_engine(url: str | None = None, **kwargs: object) -> Engine:
    parsed = normalise_url(url or default_url())
    connect_args = dict(kwargs.pop("connect_args", None) or {})  # type: ignore[call-overload]
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise UnsupportedDatabase(
            f"{parsed.get_backend_name()} is not supported; hwerror runs on {SUPPORTED}"
        )
    if parsed.get_backend_name() == "sqlite":
        connect_args.setdefault("timeout", _seconds("HWERROR_DB_SQLITE_TIMEOUT", SQLITE_TIMEOUT))
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)  # type: ignore[arg-type]
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        connect_args.setdefault(
            "connect_timeout", int(_seconds("HWERROR_DB_CONNECT_TIMEOUT", CONNECT_TIMEOUT))
        )
        statement_ms = int(_seconds("HWERROR_DB_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT) * 1000)
        # Merged with any `options` in the URL (`?options=-csearch_path=…`), which connect_args would hide.
        in_url = parsed.query.get("options", "")
        options = str(
            connect_args.get("options") or (in_url if isinstance(in_url, str) else " ".join(in_url))
        )
        connect_args["options"] = f"{options} -c statement_timeout={statement_ms}".strip()
    return create_engine(parsed, connect_args=connect_args, **kwargs)  # type: ignore[arg-type]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error, then closed."""
    with session_factory(engine)() as session, session.begin():
        yield session
