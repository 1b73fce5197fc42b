"""Every log line is one line, and no secret reaches it (bot/logs.py): a real logger, a real handler."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import handler

TOKEN = "xoxb-1234567890-abcdefghijklmnopqrstuvwx"


@pytest.fixture
def logger_to() -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    logger = logging.getLogger("hwerror.test.logs")
    logger.handlers[:] = [handler(out)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, out


def _fail_with(text: str) -> None:
    def inner() -> None:
        raise ValueError(text)

    try:
        inner()
    except ValueError as exc:
        raise RuntimeError("the call failed") from exc


def test_an_exception_is_folded_onto_the_records_one_line(
    logger_to: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = logger_to
    try:
        _fail_with("line one\nline two")
    except RuntimeError:
        logger.exception("listener failed: %s", "RuntimeError")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert (
        "ERROR" in line
        and "hwerror.test.logs: listener failed: RuntimeError | RuntimeError: the call failed" in line
    )
    assert "(from ValueError: line one line two)" in line
    assert "test_logs.py" in line and "in _fail_with" in line  # where it failed, still named


def test_a_token_in_an_exception_message_or_argument_never_reaches_the_log(
    logger_to: tuple[logging.Logger, io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    logger, out = logger_to
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "plain-words-signing-secret")
    try:
        _fail_with(f"The server responded with: {{'token': '{TOKEN}'}}")
    except RuntimeError:
        logger.exception("call failed with %s", TOKEN)
    logger.warning("secret is %s", "plain-words-signing-secret")
    text = out.getvalue()
    assert len(text.splitlines()) == 2
    assert TOKEN not in text and "plain-words-signing-secret" not in text
    assert text.count("[REDACTED]") >= 3
