"""Post to channel: share an ephemeral card with everyone (in the thread it came from)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.errors import EntryGone
from bot.core.pipeline import Reply
from bot.core.service import BotService
from bot.slack.blocks.card import card_index
from bot.slack.blocks.reply import reply_message, shared_by
from bot.slack.listeners.actions.common import pressed
from bot.slack.runtime.owe import Owed


def post_to_channel(
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
    p = pressed(body, action)
    card = service.card(session, p.key, actor)
    if not p.channel:
        raise EntryGone(card.code)
    message = shared_by(reply_message(Reply(cards=(card,)), ephemeral=False), actor.name or actor.label)
    # Where the bot is not a member the interaction's response_url may still post there. Once it
    # is posted, a private copy holding only this card has served its purpose.
    done_with_copy = p.ephemeral and _cards_in(p.message) <= 1 and respond.response_url
    owed.post(
        p.channel,
        message,
        thread_ts=p.thread_ts,
        fallback_url=respond.response_url,
        then=[(str(respond.response_url), {"delete_original": True})] if done_with_copy else [],
    )


def _cards_in(message: dict[str, Any] | None) -> int:
    blocks = (message or {}).get("blocks") or []
    return len({card_index(b.get("block_id")) for b in blocks} - {None})
