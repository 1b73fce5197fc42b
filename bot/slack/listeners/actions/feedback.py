"""Helpful / Not helpful: one vote per person per card, shown as a tally on the card."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.pipeline import Pipeline
from bot.core.store import record_vote
from bot.slack.blocks.card import notice
from bot.slack.listeners.actions.common import pressed, refresh_card
from bot.slack.middleware import Actor


def _vote(helpful: bool, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond,
          session: Session, pipeline: Pipeline, actor: Actor) -> None:
    p = pressed(body, action)
    card = pipeline.card(session, p.key, with_tally=False)
    if card is None or card.entry_id is None or not actor.user_id:
        respond(response_type="ephemeral", replace_original=False,
                **notice("That error is no longer in the knowledge base.").kwargs())
        return
    record_vote(session, card.entry_id, actor.user_id, helpful)
    refreshed = pipeline.card(session, p.key)
    if refreshed is not None:
        refresh_card(p, refreshed, client, respond)


def helpful(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond,
            session: Session, pipeline: Pipeline, actor: Actor) -> None:
    ack()
    _vote(True, body, action, client, respond, session, pipeline, actor)


def not_helpful(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond,
                session: Session, pipeline: Pipeline, actor: Actor) -> None:
    ack()
    _vote(False, body, action, client, respond, session, pipeline, actor)
