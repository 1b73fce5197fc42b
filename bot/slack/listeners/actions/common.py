"""Where a button was pressed, and putting a re-rendered card back into its message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond

from bot.core.cards import RemedyCard
from bot.core.pipeline import Key, Reply
from bot.slack.blocks.card import card_blocks, card_index, replace_card
from bot.slack.blocks.card_value import parse_value
from bot.slack.blocks.reply import reply_message
from bot.slack.runtime.owe import Owed


@dataclass(frozen=True)
class Pressed:
    key: Key
    thread_ts: str | None
    channel: str | None
    message_ts: str | None
    ephemeral: bool
    index: int | None
    message: dict[str, Any] | None


def pressed(body: dict[str, Any], action: dict[str, Any]) -> Pressed:
    key, thread_ts = parse_value(action.get("value") or "{}")
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message = body.get("message")
    return Pressed(
        key=key,
        thread_ts=thread_ts,
        channel=channel,
        message_ts=container.get("message_ts") or (message or {}).get("ts"),
        ephemeral=bool(container.get("is_ephemeral")),
        index=card_index(action.get("block_id")),
        message=message if isinstance(message, dict) else None,
    )


def refresh_card(p: Pressed, card: RemedyCard, owed: Owed, respond: Respond) -> None:
    """Show the card's new state (tally, escalation) in the message that carries it."""
    if p.message and p.message.get("blocks") and p.index is not None:
        new = card_blocks(card, p.index, ephemeral=p.ephemeral, thread_ts=p.thread_ts)
        blocks = replace_card(p.message["blocks"], p.index, new)
        text = p.message.get("text") or card.code
    else:
        single = reply_message(Reply(cards=(card,)), ephemeral=p.ephemeral, thread_ts=p.thread_ts)
        blocks, text = single.blocks, single.text
    if p.ephemeral or not (p.channel and p.message_ts):
        respond(replace_original=True, text=text, blocks=blocks)
    else:
        owed.call("chat.update", p.channel, channel=p.channel, ts=p.message_ts, text=text, blocks=blocks)
