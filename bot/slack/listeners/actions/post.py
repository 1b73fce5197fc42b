"""Post to channel: share an ephemeral card with everyone (in the thread it came from)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.errors import EntryGone
from bot.core.pipeline import Reply
from bot.core.service import BotService
from bot.slack.blocks.card import card_index
from bot.slack.blocks.reply import reply_message, shared_by
from bot.slack.listeners.actions.common import pressed

NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})


def post_to_channel(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
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
    try:
        client.chat_postMessage(
            channel=p.channel,
            thread_ts=p.thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            **message.kwargs(),
        )
    except SlackApiError as exc:
        if exc.response.get("error") not in NOT_A_MEMBER:
            raise
        # The bot is not in this channel: the interaction's response_url may still post there.
        respond(response_type="in_channel", replace_original=False, **message.kwargs())
    if p.ephemeral and _cards_in(p.message) <= 1:
        respond(delete_original=True)  # the private copy has served its purpose


def _cards_in(message: dict[str, Any] | None) -> int:
    blocks = (message or {}).get("blocks") or []
    return len({card_index(b.get("block_id")) for b in blocks} - {None})
