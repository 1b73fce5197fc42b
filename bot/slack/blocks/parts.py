"""A reply as messages Slack takes: each within its limits on blocks and on text, in order, and
each with the smaller forms to fall back on when Slack refuses it anyway.

Slack documents 50 blocks per message, but refuses messages long before their blocks add up to
the 3,000 characters per section times 50 (`msg_blocks_too_long` was seen near 13,000 characters
of block text), so a reply is split by the text its blocks carry as well as by their count.
A part whose Slack still refuses (`msg_too_long`, `msg_blocks_too_long`, `invalid_blocks`) is
replaced by its `smaller` parts: one card per message, then a line of plain text per card.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.core.cards import Card, RemedyCard, UnknownCard
from bot.core.pipeline import Reply
from bot.slack.blocks.reply import from_screenshot, reply_message
from bot.slack.blocks.text import FALLBACK_MAX, MAX_BLOCKS, SlackMessage, clip, escape, first_line

# Block text per message, well inside what Slack was seen to take.
TEXT_BUDGET = 8_000


def block_text_length(value: Any) -> int:
    """The characters of text a message's blocks carry (every "text" string, nested or not)."""
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else block_text_length(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(block_text_length(v) for v in value)
    return 0


def reply_parts(reply: Reply, *, thread_ts: str | None, budget: int = TEXT_BUDGET) -> list[dict[str, Any]]:
    """The reply's messages for a thread, in order: as many cards per message as fit (each
    marked "read from the screenshot" when the text came off an image)."""
    parts = _parts(reply, thread_ts, budget - 200 if reply.from_image else budget)
    return [_screenshot(p) for p in parts] if reply.from_image else parts


def _screenshot(part: dict[str, Any]) -> dict[str, Any]:
    kwargs = part["kwargs"]
    marked = from_screenshot(SlackMessage(text=kwargs["text"], blocks=kwargs.get("blocks") or []))
    return {**part, "kwargs": marked.kwargs()}


def _parts(reply: Reply, thread_ts: str | None, budget: int) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    group: list[Card] = []
    for card in reply.cards:
        if group and not _fits(Reply(cards=(*group, card)), thread_ts, budget):
            parts.append(_part(group, (), thread_ts))
            group = []
        group.append(card)
    parts.append(_part(group, reply.more, thread_ts, reply.skipped))
    return [p for p in parts if p["kwargs"]["blocks"] or p["kwargs"]["text"]]


def _fits(reply: Reply, thread_ts: str | None, budget: int) -> bool:
    message = reply_message(reply, ephemeral=False, thread_ts=thread_ts)
    return len(message.blocks) <= MAX_BLOCKS and block_text_length(message.blocks) <= budget


def _part(
    cards: list[Card], more: tuple[str, ...], thread_ts: str | None, skipped: int = 0
) -> dict[str, Any]:
    message = reply_message(
        Reply(cards=tuple(cards), more=more, skipped=skipped), ephemeral=False, thread_ts=thread_ts
    )
    smaller: list[dict[str, Any]]
    if len(cards) > 1:
        smaller = [_part([c], (), thread_ts) for c in cards]
        if more:
            smaller.append(_plain(f"Also found: {', '.join(more)}"))
    else:
        smaller = [_plain(" ".join(_compact(cards)) + (f" Also found: {', '.join(more)}." if more else ""))]
    return {"kwargs": {"text": message.text, "blocks": message.blocks}, "smaller": smaller}


def _plain(text: str) -> dict[str, Any]:
    """The last resort: text only, which every message can carry."""
    return {"kwargs": {"text": clip(escape(text), FALLBACK_MAX)}, "smaller": []}


def _compact(cards: list[Card]) -> Iterator[str]:
    for card in cards:
        if isinstance(card, RemedyCard):
            what, do = first_line(card.entry.message), first_line(card.entry.handling)
            yield f"{card.code} ({card.service}): {what} What to do: {do}"
        elif isinstance(card, UnknownCard):
            yield f"{card.code} is not in the knowledge base yet."
        else:
            yield f"{card.code}: several codes could be meant; ask /hwerror {card.code}."
