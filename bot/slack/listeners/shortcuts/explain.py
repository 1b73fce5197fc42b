"""The "Explain Huawei error" message shortcut: paste mode on any message, answered to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.build import AppSettings
from bot.core.service import BotService
from bot.slack.announce import announce
from bot.slack.blocks.reply import reply_message
from bot.slack.blocks.text import notice
from bot.slack.files import snippet_texts
from bot.slack.message_text import message_text
from bot.slack.sightings import of_shortcut


def explain_message(
    ack: Ack,
    shortcut: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    session: Session,
    service: BotService,
    settings: AppSettings,
    actor: Actor,
) -> None:
    ack()
    message = shortcut.get("message") or {}
    text = message_text(message, snippet_texts(message, client))
    reply = service.explain(session, text, actor, channel=(shortcut.get("channel") or {}).get("id"))
    thread = message.get("thread_ts") or message.get("ts")
    if reply.empty:
        respond(
            response_type="ephemeral",
            replace_original=False,
            **notice("I found no Huawei Cloud error in that message.").kwargs(),
        )
        return
    out = reply_message(reply, ephemeral=True, thread_ts=thread)
    respond(response_type="ephemeral", replace_original=False, **out.kwargs())
    escalated = service.record(session, reply, of_shortcut(shortcut, text, context), actor)
    announce(client, settings.escalation.escalation_channel, escalated)
