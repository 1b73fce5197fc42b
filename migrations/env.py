"""Alembic environment: the URL comes from the caller's config or DATABASE_URL, never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

# bot.core.models imports knowledge.models: importing it puts every table on Base.metadata.
import bot.core.digest.models  # noqa: F401
import bot.core.incidents.models  # noqa: F401
import bot.core.models  # noqa: F401
from knowledge.db import default_url, make_engine
from knowledge.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or default_url(),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or default_url())
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
