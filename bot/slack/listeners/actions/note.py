"""Add team note: open the modal at once (a trigger_id lives three seconds)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.service import BotService
from bot.slack.blocks.note_modal import note_modal
from bot.slack.listeners.actions.common import pressed


def open_note_modal(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    session: Session,
    service: BotService,
    actor: Actor,
) -> None:
    ack()
    p = pressed(body, action)
    card = service.note_form(session, p.key, actor)
    metadata = {"s": card.service, "c": card.code, "v": card.entry.variant, "ch": p.channel}
    client.views_open(trigger_id=body["trigger_id"], view=note_modal(card, metadata))
