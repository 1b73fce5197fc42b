"""Test fixtures. Database tests run once per database named in HWERROR_TEST_DATABASES.

Default: SQLite, plus PostgreSQL at 127.0.0.1 when it answers. In CI
(HWERROR_REQUIRE_POSTGRES=1) an unreachable PostgreSQL fails the run instead of skipping.
Each test gets an empty database of its own: a fresh SQLite file, or a fresh PostgreSQL schema
that is dropped afterwards, so runs and tests never see each other's rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from knowledge.bundled import load_bundled
from knowledge.db import make_engine, transaction
from knowledge.schema import upgrade
from testing.databases import postgres_schema, postgres_url
from testing.slack.server import FakeSlack
from testing.tickets import seed_knowledge

SHARED_DIR = Path(os.environ.get("HWERROR_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"; the reason is shown
        return str(exc).splitlines()[0]


def postgres_or_skip() -> str:
    """The PostgreSQL server's URL; when it does not answer, skip (or, in CI, fail) the test."""
    base = postgres_url()
    problem = _postgres_reachable(base)
    if problem:
        if os.environ.get("HWERROR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {base}: {problem}")
        pytest.skip(f"PostgreSQL unreachable at {base}: {problem}")
    return base


def _databases() -> list[str]:
    names = os.environ.get("HWERROR_TEST_DATABASES", "sqlite,postgresql")
    return [n.strip() for n in names.split(",") if n.strip()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_kind" in metafunc.fixturenames:
        metafunc.parametrize("db_kind", _databases())


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, as a user would put it in DATABASE_URL."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'hwerror.db'}"
        return
    if db_kind != "postgresql":
        raise ValueError(f"unknown database kind {db_kind!r} in HWERROR_TEST_DATABASES")
    with postgres_schema(postgres_or_skip()) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on an empty database with the schema migrated to head."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED_DIR / "seeds").is_dir():
        pytest.skip(f"the shared folder is not at {SHARED_DIR} (set HWERROR_SHARED_DIR)")
    return SHARED_DIR


@pytest.fixture
def kb(engine: Engine) -> Engine:
    """An empty database with the bundled knowledge loaded (the Content Moderation codes)."""
    seed_knowledge(engine)
    return engine


# -- one database, one fake Slack per module: for the tests that start a real `hwerror serve` ------


@pytest.fixture(scope="module", params=_databases())
def module_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    kind = request.param
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('slack') / 'hwerror.db'}"
        return
    with postgres_schema(postgres_or_skip()) as url:
        yield url


@pytest.fixture(scope="module")
def module_kb(module_db: str) -> Iterator[Engine]:
    engine = make_engine(module_db)
    upgrade(engine)
    with transaction(engine) as session:
        load_bundled(session)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
