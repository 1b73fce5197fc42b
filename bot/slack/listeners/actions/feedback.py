"""Helpful / Not helpful: one vote per person per card, shown as a tally on the card."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.service import BotService
from bot.slack.listeners.actions.common import pressed, refresh_card
from bot.slack.runtime.owe import Owed


def _vote(
    helpful: bool,
    body: dict[str, Any],
    action: dict[str, Any],
    owed: Owed,
    respond: Respond,
    session: Session,
    service: BotService,
    actor: Actor,
) -> None:
    p = pressed(body, action)
    refresh_card(p, service.vote(session, p.key, actor, helpful=helpful), owed, respond)


def helpful(
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
    _vote(True, body, action, owed, respond, session, service, actor)


def not_helpful(
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
    _vote(False, body, action, owed, respond, session, service, actor)
