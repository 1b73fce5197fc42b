"""A "did you mean" button: show the card of the entry the person picked."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.pipeline import Reply
from bot.core.service import BotService
from bot.slack.blocks.reply import reply_message
from bot.slack.listeners.actions.common import pressed


def pick_candidate(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    session: Session,
    service: BotService,
    actor: Actor,
) -> None:
    ack()
    p = pressed(body, action)
    card = service.card(session, p.key, actor)
    message = reply_message(Reply(cards=(card,)), ephemeral=True, thread_ts=p.thread_ts)
    if p.ephemeral:
        respond(replace_original=True, **message.kwargs())
    else:  # a public reply in a thread: answer the person who asked, privately
        respond(response_type="ephemeral", replace_original=False, **message.kwargs())
