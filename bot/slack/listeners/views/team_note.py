"""The team-note modal was submitted: the service checks who may save, then saves it."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import Ack
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.errors import UserError
from bot.core.service import BotService
from bot.slack.blocks.ids import NOTE_BLOCK, NOTE_INPUT
from bot.slack.blocks.text import escape, notice
from bot.slack.runtime.owe import Owed


def save_note(
    ack: Ack,
    view: dict[str, Any],
    owed: Owed,
    session: Session,
    actor: Actor,
    service: BotService,
    logger: Logger,
) -> None:
    text = (view.get("state", {}).get("values", {}).get(NOTE_BLOCK, {}).get(NOTE_INPUT, {}) or {}).get(
        "value"
    ) or ""
    meta = _metadata(view.get("private_metadata"))
    if meta is None:  # not what note_modal wrote: a forged or mangled view
        logger.info("team note: unreadable private_metadata")
        ack(response_action="errors", errors={NOTE_BLOCK: "This form is out of date: open it again."})
        return
    key = (str(meta.get("s")), str(meta.get("c")), int(meta.get("v") or 0))
    try:
        card = service.add_note(session, key, actor, text)
    except UserError as exc:  # a modal answers on the field, not with a message
        ack(response_action="errors", errors={NOTE_BLOCK: str(exc)})
        return
    ack()
    if isinstance(meta.get("ch"), str) and actor.user_id:
        # Queued: the change is saved whether or not Slack takes the confirmation now.
        owed.call(
            "chat.postEphemeral",
            meta["ch"],
            channel=meta["ch"],
            user=actor.user_id,
            **notice(f"Team note saved on *{escape(card.code)}*.").kwargs(),
        )


def _metadata(raw: object) -> dict[str, Any] | None:
    """The note modal's private_metadata, or None when it is not what `note_modal` writes."""
    try:
        meta = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return None
    if not isinstance(meta, dict) or not isinstance(meta.get("v", 0), int | None):
        return None
    return meta
