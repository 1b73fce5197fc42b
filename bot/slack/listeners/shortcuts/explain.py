"""The "Explain Huawei error" message shortcut: paste mode on any message, answered to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.incidents.desk import IncidentDesk
from bot.core.pipeline import Pipeline
from bot.slack.blocks.card import notice, reply_message
from bot.slack.incoming import message_text
from bot.slack.sightings import of_shortcut


def explain_message(ack: Ack, shortcut: dict[str, Any], context: BoltContext, client: WebClient,
                    respond: Respond, session: Session, pipeline: Pipeline, desk: IncidentDesk) -> None:
    ack()
    message = shortcut.get("message") or {}
    text = message_text(message)
    reply = pipeline.explain(session, text)
    thread = message.get("thread_ts") or message.get("ts")
    if reply.empty:
        respond(response_type="ephemeral", replace_original=False,
                **notice("I found no Huawei Cloud error in that message.").kwargs())
        return
    out = reply_message(reply, ephemeral=True, thread_ts=thread)
    respond(response_type="ephemeral", replace_original=False, **out.kwargs())
    pipeline.remember(session, reply)
    sighting = of_shortcut(shortcut, text, context)
    if sighting is not None:
        desk.announce(client, desk.record(session, sighting, reply.findings))
