"""A "did you mean" button: show the card of the entry the person picked."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.core.pipeline import Pipeline, Reply
from bot.slack.blocks.card import notice, reply_message
from bot.slack.listeners.actions.common import pressed


def pick_candidate(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                   session: Session, pipeline: Pipeline) -> None:
    ack()
    p = pressed(body, action)
    card = pipeline.card(session, p.key)
    if card is None:
        respond(response_type="ephemeral", replace_original=False,
                **notice("That error is no longer in the knowledge base.").kwargs())
        return
    message = reply_message(Reply(cards=(card,)), ephemeral=True, thread_ts=p.thread_ts)
    if p.ephemeral:
        respond(replace_original=True, **message.kwargs())
    else:  # a public reply in a thread: answer the person who asked, privately
        respond(response_type="ephemeral", replace_original=False, **message.kwargs())
