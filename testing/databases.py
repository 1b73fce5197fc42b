"""Scratch databases for tests and benchmarks: a SQLite file, or a PostgreSQL schema of its own.

A PostgreSQL scratch database is a fresh schema in the shared server, reached through
`options=-csearch_path=…` in the URL, and dropped afterwards: runs never see each other's rows.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("HWERROR_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


@contextmanager
def postgres_schema(base: str | None = None, prefix: str = "t") -> Iterator[str]:
    base = base or postgres_url()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgresql"), gone afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/hwerror.db"
    elif kind == "postgresql":
        with postgres_schema(prefix="bench") as url:
            yield url
    else:
        raise ValueError(f"unknown database kind {kind!r}: sqlite or postgresql")
