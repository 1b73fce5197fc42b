"""What every command needs: the consoles, settings and the engine, with trouble turned into one line.

Nothing heavy is imported at module level: `hwerror --help` imports this module, and Rich,
pydantic, SQLAlchemy and Alembic are paid for only by the commands that use them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_settings import BaseSettings
    from rich.console import Console
    from sqlalchemy import Engine

    from bot.config import Settings
    from bot.core.build import AppSettings

# Bad configuration (an environment variable, the command line) exits 2, like a usage error.
CONFIG_ERROR = 2


class _LazyConsole:
    """A Rich console made on first use, so that importing the CLI does not import Rich."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


console: Console = _LazyConsole()  # type: ignore[assignment]
err_console: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]


def fail(message: str, code: int = 1) -> NoReturn:
    from rich.markup import escape

    # soft_wrap: one line, however narrow the terminal (it wraps it; a log keeps it whole).
    err_console.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()
    return first[0][:300] if first else type(orig).__name__


SettingsT = TypeVar("SettingsT", bound="BaseSettings")


def settings_or_fail(cls: type[SettingsT]) -> SettingsT:
    """Settings read from the environment, or one line naming each bad variable and what it
    accepts, and exit 2 (no traceback)."""
    from pydantic import ValidationError

    try:
        return cls()
    except ValidationError as exc:
        fail(settings_problem(exc, cls), CONFIG_ERROR)


def process_settings() -> Settings:
    from bot.config import Settings

    return settings_or_fail(Settings)


def app_settings_or_fail() -> AppSettings:
    """Every setting, read once; a bad one ends the command with one line naming it."""
    from bot.config import Settings
    from bot.core.build import AppSettings
    from bot.core.digest.config import DigestSettings
    from bot.core.incidents.config import EscalationSettings, TicketSettings

    return AppSettings(
        settings_or_fail(Settings),
        settings_or_fail(EscalationSettings),
        settings_or_fail(TicketSettings),
        settings_or_fail(DigestSettings),
    )


def settings_problem(exc: ValidationError, cls: type[BaseSettings]) -> str:
    """The validation errors as one line: each variable as it is spelt in the environment (PORT,
    HWERROR_ESCALATE_COUNT) and what it accepts. Values are echoed only for fields that are not
    secrets."""
    from bot.cli.accepts import accepts

    prefix = str(cls.model_config.get("env_prefix") or "").upper()
    problems = []
    for error in exc.errors():
        loc = error.get("loc") or ()
        if not loc:  # model-level checks name their variables themselves
            problems.append(str(error.get("msg", "invalid")).removeprefix("Value error, "))
            continue
        name = str(loc[0])
        problems.append(f"{prefix}{name.upper()}{accepts(cls, name, error)}")
    return "; ".join(dict.fromkeys(problems))


def _sqlite_file(url: Any) -> Path | None:
    """The file a SQLite URL names (None for in-memory databases)."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def _where(path: Path) -> str:
    return str(path) if path.is_absolute() else f"./{path} in {os.getcwd()}"


@contextmanager
def engine_for_cli(*, need_schema: bool = True) -> Iterator[Engine]:
    """An engine that has been seen to connect; any database failure ends the command cleanly."""
    from sqlalchemy import text
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

    from knowledge.db import UnsupportedDatabase, make_engine, mask_url, normalise_url

    url = process_settings().database_url
    shown = mask_url(url)
    try:
        parsed = normalise_url(url)
        engine = make_engine(url)
    except UnsupportedDatabase as exc:
        fail(f"DATABASE_URL ({shown}): {exc}", CONFIG_ERROR)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        fail(f"DATABASE_URL is not a usable database URL ({shown}): {_reason(exc)}", CONFIG_ERROR)
    file = _sqlite_file(parsed)
    if need_schema and file is not None and not file.exists():
        # SQLite would create an empty file here and then say it is not migrated: say where instead.
        engine.dispose()
        fail(
            f"there is no database at {_where(file)} (DATABASE_URL={shown}): run hwerror db upgrade "
            "here first, or set DATABASE_URL to the database you migrated"
        )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        if need_schema:
            from knowledge.schema import current_revision, head_revision

            if current_revision(engine) != head_revision():
                where = f" ({_where(file)})" if file is not None else ""
                fail(f"the database at {shown}{where} is not up to date: run hwerror db upgrade first")
        yield engine
    except (OperationalError, DBAPIError) as exc:
        fail(f"cannot use the database at {shown}: {_reason(exc)}")
    finally:
        engine.dispose()
