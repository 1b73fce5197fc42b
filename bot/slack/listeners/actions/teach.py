"""Add to knowledge base (an unknown code's card): open the modal at once, to admins only."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.service import BotService
from bot.slack.blocks.teach_modal import teach_modal


def open_teach_modal(
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
    service.teach_form(session, actor)  # refused here, before a form nobody may submit
    value = json.loads(action.get("value") or "{}")
    code, message = str(value.get("c") or ""), value.get("m")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    metadata = {"c": code, "st": value.get("st"), "ch": channel}
    view = teach_modal(code, message if isinstance(message, str) else None, metadata)
    client.views_open(trigger_id=body["trigger_id"], view=view)
