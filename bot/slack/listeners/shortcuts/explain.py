"""The "Explain Huawei error" message shortcut: paste mode on any message, answered to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.build import AppSettings
from bot.core.outgoing import Outgoing
from bot.core.service import BotService
from bot.slack.blocks.reply import from_screenshot, reply_message
from bot.slack.blocks.text import notice
from bot.slack.files import snippet_texts
from bot.slack.images import from_image, image_files, image_texts, nothing_read, with_images
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
    outgoing: Outgoing,
    settings: AppSettings,
    actor: Actor,
) -> None:
    ack()
    message = shortcut.get("message") or {}
    text = message_text(message, snippet_texts(message, client))
    limit = settings.process.hwerror_ocr_max_bytes
    images = image_texts(message, client, service.read_image, limit) if image_files(message) else []
    text, clear = with_images(text, images)
    channel = (shortcut.get("channel") or {}).get("id")
    reply = service.explain(session, text, actor, channel=channel, clear=clear)
    thread = message.get("thread_ts") or message.get("ts")
    if reply.empty:
        said = "I found no Huawei Cloud error in that message." + nothing_read(images)
        respond(response_type="ephemeral", replace_original=False, **notice(said).kwargs())
        return
    out = reply_message(reply, ephemeral=True, thread_ts=thread)
    out = from_screenshot(out) if clear is not None else out
    respond(response_type="ephemeral", replace_original=False, **out.kwargs())
    where = of_shortcut(shortcut, text, context)
    service.record(session, reply, from_image(where) if clear is not None else where, actor, outgoing)
