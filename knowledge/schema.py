"""Apply Alembic migrations from code (`hwerror db upgrade`, tests, the release process).

Alembic is imported only to migrate. Every command checks that the database is migrated before it
starts, and importing Alembic for that costs more than the rest of a lookup: so the check reads
`alembic_version` with one query and the head from the migration files' `revision` lines
(`tests/test_cli_startup.py` compares it with Alembic's own answer).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

import migrations

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS = Path(migrations.__file__).parent / "versions"
_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w-]+|None)['\"]?\s*$", re.MULTILINE)


def alembic_config(engine: Engine | None = None, url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if url:
        # '%' must be doubled for configparser interpolation.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """What `alembic current` says, read with one query (None: never migrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision() -> str | None:
    """The newest migration: the revision no other file names as its down_revision."""
    revisions, parents = set(), set()
    for path in VERSIONS.glob("*.py"):
        fields = dict((k, v) for k, v in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in fields:
            revisions.add(fields["revision"])
            parents.add(fields.get("down_revision", "None"))
    heads = sorted(revisions - parents)
    return heads[0] if len(heads) == 1 else None
