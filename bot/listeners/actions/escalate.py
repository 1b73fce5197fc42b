"""Escalate now: record an escalation request (the tickets issue turns these into tickets)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.listeners.actions.common import pressed, refresh_card
from bot.messages import escape, notice
from bot.middleware import Actor
from bot.pipeline import Pipeline
from bot.records import record_escalation


def escalate_now(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond,
                 session: Session, pipeline: Pipeline, actor: Actor) -> None:
    ack()
    p = pressed(body, action)
    card = pipeline.card(session, p.key, with_tally=False)
    if card is None:
        respond(response_type="ephemeral", replace_original=False,
                **notice("That error is no longer in the knowledge base.").kwargs())
        return
    request_id = record_escalation(
        session, entry_id=card.entry_id, service=card.service, code=card.code, requested_by=actor.label,
        channel_id=p.channel, message_ts=p.message_ts,
    )
    refreshed = pipeline.card(session, p.key)
    if refreshed is not None:
        refresh_card(p, refreshed, client, respond)
    respond(response_type="ephemeral", replace_original=False,
            **notice(f"Escalation requested for *{escape(card.code)}* (request #{request_id}).").kwargs())
