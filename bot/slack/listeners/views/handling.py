"""The "Edit handling" modal was submitted: the service checks who may edit, then saves it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.errors import UserError
from bot.core.service import BotService
from bot.slack.blocks.handling_modal import HANDLING_BLOCK
from bot.slack.blocks.text import escape, notice
from bot.slack.listeners.views.modal_state import field_value, metadata
from bot.slack.runtime.owe import Owed


def save_handling(
    ack: Ack,
    view: dict[str, Any],
    owed: Owed,
    session: Session,
    actor: Actor,
    service: BotService,
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
        # Queued: the change is saved whether or not Slack takes the confirmation now.
        owed.call(
            "chat.postEphemeral", meta["ch"], channel=meta["ch"], user=actor.user_id, **notice(text).kwargs()
        )
