"""The mistakes people make with the command line get one line each: the variable, what it
accepts, exit 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.cli import run_cli

BAD_VALUES = [
    ("PORT", "abc", "PORT must be a whole number from 1 to 65535 (got 'abc')"),
    ("PORT", "0", "PORT must be a whole number from 1 to 65535 (got '0')"),
    ("WEB_CONCURRENCY", "zero", "WEB_CONCURRENCY must be a whole number from 1 to 256 (got 'zero')"),
    ("WEB_THREADS", "-4", "WEB_THREADS must be a whole number from 1 to 1024"),
    ("HWERROR_ESCALATE_COUNT", "abc", "HWERROR_ESCALATE_COUNT must be a whole number from 1 to 100000"),
    ("HWERROR_ESCALATE_WINDOW", "1week", "HWERROR_ESCALATE_WINDOW: '1week' is not a duration such as 30m"),
    ("HWERROR_ESCALATE_CHANNELS", "-1", "HWERROR_ESCALATE_CHANNELS must be a whole number from 1 to 10000"),
    ("HWERROR_TICKET_BACKEND", "trello", "HWERROR_TICKET_BACKEND must be one of internal, webhook, jira or"),
    ("HWERROR_TICKET_HTTP_TIMEOUT", "soon", "HWERROR_TICKET_HTTP_TIMEOUT must be a number more than 0"),
    ("HWERROR_TIMEZONE", "Mars/Base", "HWERROR_TIMEZONE: 'Mars/Base' is not an IANA time zone"),
    ("HWERROR_BOT_REPLIES_PER_MINUTE", "many", "HWERROR_BOT_REPLIES_PER_MINUTE must be a whole number"),
]
# Every command that reads settings; each must answer a bad one the same way.
COMMANDS = [
    ("lookup", "AIS.0027"),
    ("chat",),
    ("serve",),
    ("digest", "--dry-run"),
    ("tickets", "resolve", "HW-1"),
    ("kb", "list"),
]


def _one_line_exit_2(result, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "validation error" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], lines


@pytest.mark.parametrize(("variable", "value", "expected"), BAD_VALUES)
def test_a_bad_environment_value_is_one_line_naming_the_variable(
    variable: str, value: str, expected: str, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    _one_line_exit_2(run_cli("lookup", "AIS.0027", db_url=db, extra_env={variable: value}), expected)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_that_reads_settings_answers_a_bad_one_the_same_way(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    result = run_cli(*command, db_url=f"sqlite:///{tmp_path / 'x.db'}", extra_env={"PORT": "abc"}, stdin="")
    _one_line_exit_2(result, "PORT must be a whole number from 1 to 65535 (got 'abc')")


def test_a_secret_is_named_but_never_echoed() -> None:
    from pydantic import ValidationError

    from bot.cli.common import settings_problem
    from bot.core.incidents.config import TicketSettings

    with pytest.raises(ValidationError) as caught:
        bad: dict[str, object] = {"jira_token": ["s3cret"]}
        TicketSettings(ticket_backend="jira", jira_url="https://jira.example", jira_project="OPS", **bad)  # type: ignore[arg-type]
    line = settings_problem(caught.value, TicketSettings)
    assert "HWERROR_JIRA_TOKEN" in line and "s3cret" not in line


def test_mysql_says_which_databases_are_supported(tmp_path: Path) -> None:
    result = run_cli("kb", "list", db_url="mysql://hw:pw@127.0.0.1/hwerror")
    _one_line_exit_2(
        result, "mysql is not supported; hwerror runs on SQLite (sqlite:///hwerror.db) and PostgreSQL"
    )
    assert "pw@" not in result.stderr
