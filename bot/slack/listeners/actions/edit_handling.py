"""Edit handling (a known card): open the modal at once, to admins only."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.service import BotService
from bot.slack.blocks.handling_modal import handling_modal
from bot.slack.listeners.actions.common import pressed


def open_handling_modal(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,  # what answers a refusal (bot.slack.errors)
    session: Session,
    service: BotService,
    actor: Actor,
) -> None:
    ack()
    p = pressed(body, action)
    card = service.teach_form(session, actor, p.key)
    assert card is not None
    metadata = {"s": card.service, "c": card.code, "v": card.entry.variant, "ch": p.channel}
    client.views_open(trigger_id=body["trigger_id"], view=handling_modal(card, metadata))
