"""The variants select on a card: show the variant the person chose in the card's place."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.pipeline import Reply
from bot.core.service import BotService
from bot.slack.blocks.reply import reply_message
from bot.slack.listeners.actions.common import pressed, refresh_card
from bot.slack.runtime.owe import Owed


def switch_variant(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    owed: Owed,
    session: Session,
    service: BotService,
    actor: Actor,
) -> None:
    ack()
    # A select carries its value in the option chosen, a button in the action itself.
    chosen = {**action, "value": (action.get("selected_option") or {}).get("value")}
    p = pressed(body, chosen)
    card = service.card(session, p.key, actor)
    if p.ephemeral:  # the person's own answer: the card changes in place
        refresh_card(p, card, owed, respond)
        return
    # A public reply stays as the channel saw it; the chosen variant is shown to the chooser.
    message = reply_message(Reply(cards=(card,)), ephemeral=True, thread_ts=p.thread_ts)
    respond(response_type="ephemeral", replace_original=False, **message.kwargs())
