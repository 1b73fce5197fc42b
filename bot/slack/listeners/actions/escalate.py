"""Escalate now: the card's code gets a ticket at once (or joins the one that is open)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.incidents.desk import IncidentDesk
from bot.core.incidents.record import Sighting
from bot.core.pipeline import Pipeline
from bot.core.store import record_escalation
from bot.slack.blocks.card import escape, notice
from bot.slack.listeners.actions.common import pressed, refresh_card
from bot.slack.middleware import Actor


def escalate_now(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext,
                 client: WebClient, respond: Respond, session: Session, pipeline: Pipeline,
                 desk: IncidentDesk, actor: Actor) -> None:
    ack()
    p = pressed(body, action)
    card = pipeline.card(session, p.key, with_tally=False)
    if card is None:
        respond(response_type="ephemeral", replace_original=False,
                **notice("That error is no longer in the knowledge base.").kwargs())
        return
    # Who asked, kept beside the ticket: the audit of escalation requests.
    record_escalation(
        session, entry_id=card.entry_id, service=card.service, code=card.code, requested_by=actor.label,
        channel_id=p.channel, message_ts=p.message_ts,
    )
    sighting = Sighting(
        workspace=context.team_id or "", channel=p.channel or "", source="button",
        # One incident per person and card message: pressing twice does not count twice.
        message_key=f"escalate:{p.message_ts or ''}:{actor.user_id or actor.name}"[:80],
        text=f"Escalate now pressed by {actor.label}", thread_ts=p.thread_ts, user_id=actor.user_id,
    )
    ticket, announcements = desk.escalate_now(session, sighting, card.entry_data(), actor.label)
    desk.announce(client, announcements)
    refreshed = pipeline.card(session, p.key)
    if refreshed is not None:
        refresh_card(p, refreshed, client, respond)
    if ticket is None:
        text = f"Escalation of *{escape(card.code)}* recorded."
    elif announcements:
        text = f"*{escape(card.code)}* escalated: ticket {ticket.ref} is open."
    else:
        text = f"*{escape(card.code)}* already has an open ticket, {ticket.ref}; this was added to it."
    respond(response_type="ephemeral", replace_original=False, **notice(text).kwargs())
