"""What every command needs: the engine, with database trouble turned into one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from bot.config import Settings
from knowledge.db import make_engine, mask_url
from knowledge.schema import current_revision, head_revision

if TYPE_CHECKING:
    from bot.core.build import AppSettings

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/bold red] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()
    return first[0][:300] if first else type(orig).__name__


@contextmanager
def engine_for_cli(*, need_schema: bool = True) -> Iterator[Engine]:
    """An engine that has been seen to connect; any database failure ends the command cleanly."""
    url = process_settings().database_url
    shown = mask_url(url)
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        fail(f"DATABASE_URL is not a usable database URL ({shown}): {_reason(exc)}")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        if need_schema and current_revision(engine) != head_revision():
            fail(f"the database at {shown} is not up to date: run `hwerror db upgrade` first")
        yield engine
    except (OperationalError, DBAPIError) as exc:
        fail(f"cannot use the database at {shown}: {_reason(exc)}")
    finally:
        engine.dispose()


def process_settings() -> Settings:
    """The process's settings (bot/config.py); a bad one ends the command with one line naming it."""
    return settings_or_fail(Settings, "settings")


def app_settings_or_fail() -> AppSettings:
    """Every setting, read once; a bad one ends the command with one line naming it."""
    from bot.core.build import AppSettings
    from bot.core.digest.config import DigestSettings
    from bot.core.incidents.config import EscalationSettings, TicketSettings

    return AppSettings(
        process=process_settings(),
        escalation=settings_or_fail(EscalationSettings, "settings"),
        tickets=settings_or_fail(TicketSettings, "settings"),
        digest=settings_or_fail(DigestSettings, "settings"),
    )


def settings_problem(exc: ValidationError, prefix: str = "HWERROR_") -> str:
    """The validation errors as one line naming each variable, and never echoing a value (secrets)."""
    problems = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        loc = error.get("loc") or ()
        if loc:
            problems.append(f"{prefix}{str(loc[0]).upper()}: {message}")
        else:
            problems.append(message)  # model-level checks name their variables themselves
    return "; ".join(problems)


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def settings_or_fail(cls: type[SettingsT], what: str) -> SettingsT:
    """Settings read from the environment, or one line naming each bad variable, and exit 1."""
    try:
        return cls()
    except ValidationError as exc:
        problem = settings_problem(exc, cls.model_config.get("env_prefix") or "")
        fail(f"{what}: {escape(problem)}")  # "[ipv6]:port" is text, not Rich markup
