"""`/hwerror QUERY`: the remedy card, ephemeral, in the acknowledgement itself."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from sqlalchemy.orm import Session

from bot.messages import HELP_WORDS, nothing_found_message, reply_message, usage_message
from bot.pipeline import Pipeline


def hwerror_command(ack: Ack, command: dict[str, Any], session: Session, pipeline: Pipeline) -> None:
    text = (command.get("text") or "").strip()
    if text.lower() in HELP_WORDS:
        ack(**usage_message().kwargs())
        return
    reply = pipeline.lookup(session, text)
    message = nothing_found_message(text) if reply.empty else reply_message(reply, ephemeral=True)
    ack(**message.kwargs())  # the HTTP response: Slack shows it to the caller only
    pipeline.remember(session, reply)
