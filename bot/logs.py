"""Logging for `hwerror serve` and its gunicorn: one line per record, never a secret.

Configured here and nowhere else: `configure()` for the process, `gunicorn_logconfig()` for
gunicorn's own loggers (its `logconfig_dict`), so gunicorn's lines, Bolt's, slack_sdk's and ours
look alike and pass the same filter.

- One line: a multi-line message and an exception's traceback are folded onto the record's line
  (`| ValueError: … at module.py:12 in f <- caller.py:3 in g`), so a log collector never splits
  one failure into fifty records.
- No secret: every line goes through `bot.core.redaction.redact` (tokens of every known shape)
  and then loses the exact values of SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET and the
  database password, whatever their shape.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from typing import Any

from bot.core.redaction import MASK, redact

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")
MAX_FRAMES = 6  # the innermost frames of a traceback: where it failed, and what called it


def _known_secrets() -> list[str]:
    found = [os.environ.get(name, "").strip() for name in SECRET_VARIABLES]
    url = os.environ.get("DATABASE_URL", "")
    if "@" in url and ":" in url.split("@", 1)[0].rsplit("//", 1)[-1]:
        found.append(url.split("@", 1)[0].rsplit("//", 1)[-1].split(":", 1)[1])
    return sorted((s for s in found if len(s) >= 6), key=len, reverse=True)


def scrub(text: str) -> str:
    """`text` without credentials: every shape we know, then the exact secrets of this process."""
    cleaned = redact(text)
    for secret in _known_secrets():
        cleaned = cleaned.replace(secret, MASK)
    return cleaned


def one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def exception_summary(exc_info: Any) -> str:
    """`Type: message at file.py:12 in f <- caller.py:3 in g`: the innermost frames first."""
    kind, value, tb = exc_info
    frames = traceback.extract_tb(tb)[-MAX_FRAMES:]
    where = " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}" for f in reversed(frames))
    summary = f"{kind.__name__}: {value}" if kind is not None else "exception"
    cause = value.__cause__ or value.__context__ if value is not None else None
    if cause is not None and not (
        value is not None and value.__suppress_context__ and value.__cause__ is None
    ):
        summary += f" (from {type(cause).__name__}: {cause})"
    return f"{summary} at {where}" if where else summary


class RedactSecrets(logging.Filter):
    """Folds each record's message (with its exception and stack) onto one redacted line."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        if record.exc_info and record.exc_info[0] is not None:
            message = f"{message} | {exception_summary(record.exc_info)}"
        elif record.exc_text:
            message = f"{message} | {record.exc_text}"
        if record.stack_info:
            message = f"{message} | stack: {record.stack_info}"
        record.msg, record.args = scrub(one_line(message)), None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


class OneLineFormatter(logging.Formatter):
    """The record on one line, even when a filter did not run first (a handler added elsewhere)."""

    def __init__(self, fmt: str | None = FORMAT, datefmt: str | None = None) -> None:
        super().__init__(fmt, datefmt)

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info or record.args:
            RedactSecrets().filter(record)
        return one_line(super().format(record))


def handler(stream: Any = None) -> logging.Handler:
    out = logging.StreamHandler(stream or sys.stderr)
    out.addFilter(RedactSecrets())
    out.setFormatter(OneLineFormatter())
    return out


def configure(level: int = logging.INFO) -> None:
    """The root logger writes one redacted line per record to stderr (idempotent)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_hwerror", False):
            root.removeHandler(old)
    new = handler()
    new._hwerror = True  # type: ignore[attr-defined]
    root.addHandler(new)
    root.setLevel(level)
    # Python's own warnings (DeprecationWarning …) go through logging too, on one line.
    logging.captureWarnings(True)


def gunicorn_logconfig() -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its error log through our filter and format, onto stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "bot.logs.RedactSecrets"}},
        "formatters": {"one_line": {"()": "bot.logs.OneLineFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["redact"],
                "formatter": "one_line",
            },
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }
