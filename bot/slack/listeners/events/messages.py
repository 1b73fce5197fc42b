"""A message in a channel the bot is in (or a mention): answer its errors in the thread, once."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.build import AppSettings
from bot.core.service import BotService
from bot.slack.announce import announce
from bot.slack.blocks.reply import from_screenshot, reply_message
from bot.slack.files import snippet_texts, truncated_snippets
from bot.slack.images import from_image, image_files, image_texts, with_images
from bot.slack.incoming import incoming, may_answer
from bot.slack.message_text import message_text
from bot.slack.sightings import of_message


def on_message(
    event: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    session: Session,
    service: BotService,
    settings: AppSettings,
    logger: Logger,
    actor: Actor,
    shared_channel: bool,
) -> None:
    msg = incoming(event)
    limit = settings.process.hwerror_bot_replies_per_minute
    if msg is None or not may_answer(
        session, msg, bot_user_id=context.bot_user_id, bot_id=context.bot_id, bot_replies_per_minute=limit
    ):
        return
    snippets = snippet_texts(msg.message, client) if truncated_snippets(msg.message) else []
    text = message_text(msg.message, snippets) if snippets else msg.text
    # Screenshots: OCR in the reader's pool; the text goes on as a paste, read strictly (`clear`).
    limit = settings.process.hwerror_ocr_max_bytes
    images = image_texts(msg.message, client, service.read_image, limit) if image_files(msg.message) else []
    text, clear = with_images(text, images)
    reply = service.claim(session, text, msg.ref, actor, public=shared_channel, clear=clear)
    if reply is None:
        return
    message = reply_message(reply, ephemeral=False, thread_ts=msg.thread_ts)
    message = from_screenshot(message) if clear is not None else message
    try:
        client.chat_postMessage(
            channel=msg.channel,
            thread_ts=msg.thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            **message.kwargs(),
        )
    except Exception as exc:  # noqa: BLE001 - whatever failed, the claims must be given back
        # So that Slack's retry of this event (or an edit) can still answer it.
        service.release(session, msg.ref, reply)
        reason = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        logger.warning("could not answer %s/%s: %s", msg.channel, msg.ts, reason)
        return
    where = of_message(msg, context, text)
    escalated = service.record(session, reply, from_image(where) if clear is not None else where, actor)
    announce(client, settings.escalation.escalation_channel, escalated)
