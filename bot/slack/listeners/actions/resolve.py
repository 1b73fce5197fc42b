"""The Resolve button on escalation cards, the tickets list and the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.incidents.desk import IncidentDesk
from bot.core.incidents.tickets import TicketNotFound, parse_ticket_ref
from bot.slack.blocks.card import escape, notice
from bot.slack.listeners.events.home import publish_home
from bot.slack.middleware import Actor


def resolve_ticket(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                   respond: Respond, session: Session, desk: IncidentDesk, actor: Actor) -> None:
    ack()
    ticket_id = parse_ticket_ref(str(action.get("value") or ""))
    if ticket_id is None:
        return
    try:
        ticket = desk.resolve(session, ticket_id, actor.label)
    except TicketNotFound as exc:
        text = escape(str(exc))
    else:
        text = f"{ticket.ref} (*{escape(ticket.code)}*) resolved by {escape(actor.label)}."
    if (body.get("container") or {}).get("type") == "view":
        if actor.user_id:  # pressed on the App Home tab: show it without the ticket
            publish_home(actor.user_id, client, session)
        return
    respond(response_type="ephemeral", replace_original=False, **notice(text).kwargs())
