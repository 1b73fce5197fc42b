"""Escalate now: the card's code gets a ticket at once (or joins the one that is open)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.outgoing import Outgoing
from bot.core.service import BotService
from bot.slack.blocks.text import escape, notice
from bot.slack.listeners.actions.common import pressed, refresh_card
from bot.slack.runtime.owe import Owed
from bot.slack.sightings import of_button


def escalate_now(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    owed: Owed,
    respond: Respond,
    session: Session,
    service: BotService,
    outgoing: Outgoing,
    actor: Actor,
) -> None:
    ack()
    p = pressed(body, action)
    done = service.escalate(session, p.key, actor, of_button(p, actor, context), outgoing)
    refresh_card(p, done.card, owed, respond)
    code = escape(done.card.code)
    if done.ticket is None:
        text = f"Escalation of *{code}* recorded."
    elif done.escalated:
        text = f"*{code}* escalated: ticket {done.ticket.ref} is open."
    else:
        text = f"*{code}* already has an open ticket, {done.ticket.ref}; this was added to it."
    respond(response_type="ephemeral", replace_original=False, **notice(text).kwargs())
