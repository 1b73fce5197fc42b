"""Alembic owns the schema: migrations and models agree, and upgrades are repeatable."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

import bot.core.digest.models  # noqa: F401
import bot.core.incidents.models  # noqa: F401  every table on Base.metadata
import bot.core.models  # noqa: F401
from knowledge.models import Base
from knowledge.schema import alembic_config, current_revision, head_revision, upgrade


def test_autogenerate_finds_no_difference_between_models_and_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_reaches_head_and_a_second_upgrade_is_a_no_op(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == tables
    assert {"entries", "team_notes", "audit_events"} <= tables


def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(engine: Engine) -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "entries" in inspect(engine).get_table_names()
