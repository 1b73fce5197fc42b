"""The "Edit handling" modal was submitted: the service checks who may edit, then saves it."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.errors import UserError
from bot.core.service import BotService
from bot.slack.blocks.handling_modal import HANDLING_BLOCK
from bot.slack.blocks.text import escape, notice
from bot.slack.listeners.views.modal_state import field_value, metadata


def save_handling(
    ack: Ack,
    view: dict[str, Any],
    client: WebClient,
    session: Session,
    actor: Actor,
    service: BotService,
    logger: Logger,
) -> None:
    meta = metadata(view)
    if meta is None or not isinstance(meta.get("v", 0), int):
        ack(response_action="errors", errors={HANDLING_BLOCK: "This form is out of date: open it again."})
        return
    key = (str(meta.get("s")), str(meta.get("c")), int(meta.get("v") or 0))
    try:
        card = service.edit_handling(session, key, actor, field_value(view, HANDLING_BLOCK))
    except UserError as exc:  # a modal answers on the field, not with a message
        ack(response_action="errors", errors={HANDLING_BLOCK: str(exc)})
        return
    ack()
    if isinstance(meta.get("ch"), str) and actor.user_id:
        text = f"Handling of *{escape(card.code)}* saved."
        try:
            client.chat_postEphemeral(channel=meta["ch"], user=actor.user_id, **notice(text).kwargs())
        except SlackApiError as exc:  # the edit is saved anyway
            logger.info("handling saved; confirmation not posted: %s", exc.response.get("error"))
