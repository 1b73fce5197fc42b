"""The one place a listener's failure is answered.

The core's own errors (entry gone, no such ticket, not allowed) become a polite ephemeral line;
anything else is logged. `answer_error` is the app's `@app.error` handler, and every listener is
registered through `answering_errors`, which answers the core's errors with the same function
inside the listener: Bolt's thread runner drops an acknowledgement already given when a listener
raises afterwards (it sets `ack.response = None`), so Slack would see "unhandled request".
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond

from bot.core.errors import UserError
from bot.slack.blocks.text import escape, notice

log = logging.getLogger("hwerror.slack")


def answer_error(
    error: Exception, respond: Respond | None = None, logger: logging.Logger | None = None
) -> None:
    if isinstance(error, UserError):
        if respond is not None and respond.response_url:
            respond(response_type="ephemeral", replace_original=False, **notice(escape(str(error))).kwargs())
        return
    (logger or log).exception("listener failed: %s", type(error).__name__)


def answering_errors(listener: Callable[..., Any]) -> Callable[..., Any]:
    """The listener, with its failures answered by `answer_error` (Bolt reads the signature through
    `functools.wraps`, so the listener still gets exactly the arguments it names)."""

    @functools.wraps(listener)
    def run(**kwargs: Any) -> Any:
        try:
            return listener(**kwargs)
        except UserError as exc:  # raising would drop the ack; anything else goes to @app.error
            ack = kwargs.get("ack")
            if ack is not None and getattr(ack, "response", None) is None:
                # Refused before the acknowledgement (a slash command): the answer is the ack itself.
                ack(**notice(escape(str(exc))).kwargs())
                return None
            answer_error(exc, kwargs.get("respond"), kwargs.get("logger"))
            return None

    return run
