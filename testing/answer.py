"""Answering a pasted message the way the answer workers do, for tests of the core."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.incidents.enums import Source
from bot.core.incidents.record import Sighting
from bot.core.pipeline import Reply
from bot.core.service import BotService
from bot.core.store import MessageRef
from bot.slack.runtime.outgoing import SlackOutgoing


def answer(
    service: BotService,
    session: Session,
    text: str,
    ref: MessageRef,
    actor: Actor | None = None,
    *,
    public: bool = False,
    workspace: str = "T0001",
) -> Reply | None:
    """The reply a message gets (None: nothing new to answer), its claims, reply and incidents kept."""
    where = Sighting(
        workspace=(actor.workspace if actor is not None and actor.workspace else workspace),
        channel=ref.channel,
        message_key=ref.ts,
        source=Source.PASTE,
        text=text,
        thread_ts=ref.thread_ts,
        message_ts=ref.ts,
    )
    return service.answer(session, text, ref, where, SlackOutgoing(None), actor, public=public)
