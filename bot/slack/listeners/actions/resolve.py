"""The Resolve button on escalation cards, the tickets list and the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.service import BotService
from bot.slack.blocks.text import escape, notice
from bot.slack.listeners.events.home import publish_home
from bot.slack.runtime.owe import Owed


def resolve_ticket(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    owed: Owed,
    respond: Respond,
    session: Session,
    service: BotService,
    actor: Actor,
) -> None:
    ack()
    value = str(action.get("value") or "")
    if not value.strip():
        return
    ticket = service.resolve(session, value, actor)
    if (body.get("container") or {}).get("type") == "view":
        if actor.user_id:  # pressed on the App Home tab: show it without the ticket
            publish_home(actor.user_id, owed, session, service, actor)
        return
    text = f"{ticket.ref} (*{escape(ticket.code)}*) resolved by {escape(actor.label)}."
    respond(response_type="ephemeral", replace_original=False, **notice(text).kwargs())
