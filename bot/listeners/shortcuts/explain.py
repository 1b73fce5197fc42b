"""The "Explain Huawei error" message shortcut: paste mode on any message, answered to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.channel import message_text
from bot.messages import notice, reply_message
from bot.pipeline import Pipeline


def explain_message(ack: Ack, shortcut: dict[str, Any], respond: Respond, session: Session,
                    pipeline: Pipeline) -> None:
    ack()
    message = shortcut.get("message") or {}
    reply = pipeline.explain(session, message_text(message))
    thread = message.get("thread_ts") or message.get("ts")
    if reply.empty:
        respond(response_type="ephemeral", replace_original=False,
                **notice("I found no Huawei Cloud error in that message.").kwargs())
        return
    out = reply_message(reply, ephemeral=True, thread_ts=thread)
    respond(response_type="ephemeral", replace_original=False, **out.kwargs())
    pipeline.remember(session, reply)
