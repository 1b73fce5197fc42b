"""Whole replies: the cards of one answer, usage, "nothing found", a card shared to the channel."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextBlock, SectionBlock

from bot.core.cards import Card, RemedyCard, UnknownCard
from bot.core.pipeline import Reply
from bot.slack.blocks.card import card_dicts
from bot.slack.blocks.text import (
    DIVIDER,
    FALLBACK_MAX,
    MAX_BLOCKS,
    SECTION_MAX,
    SlackMessage,
    clip,
    escape,
    first_line,
    mrkdwn,
)

USAGE = (
    "*hwerror* explains Huawei Cloud API errors.\n"
    "• `/hwerror AIS.0027`: the remedy card for a code (only you see it; a button posts it)\n"
    "• `/hwerror ais 27`, `/hwerror token is empty`: typos and error messages work too\n"
    '• `/hwerror {"error_code": …}`: paste a whole error body, SDK exception or log line\n'
    "• Paste an error in a channel I am in: I answer in the thread\n"
    "• *Explain Huawei error* in a message's ⋮ menu: the same, on any message\n"
    "• `/hwerror stats [CODE]`: how often, where, and tickets (24 h, 7 days, 30 days)\n"
    "• `/hwerror digest`: this week so far · `/hwerror tickets`: open tickets · "
    "`/hwerror resolve HW-12`: close one\n"
    "• `/hwerror channel [service OCR|none]`: the service this channel is about (admins set it)"
)


def _fallback(card: Card) -> str:
    if isinstance(card, RemedyCard):
        return f"{card.code}: {first_line(card.entry.message)} What to do: {first_line(card.entry.handling)}"
    if isinstance(card, UnknownCard):
        return f"{card.code} is not in the knowledge base yet."
    return f"{card.code} could be {', '.join(c.code for c in card.candidates)}."


def reply_message(reply: Reply, *, ephemeral: bool, thread_ts: str | None = None) -> SlackMessage:
    """Up to five cards, divided, and the remaining codes by name; never more than 50 blocks."""
    blocks: list[dict[str, Any]] = []
    more = list(reply.more)
    for i, card in enumerate(reply.cards):
        part = card_dicts(card, i, ephemeral, thread_ts)
        if len(blocks) + len(part) + 2 > MAX_BLOCKS:  # room for a divider and the "also found" line
            more = [c.code for c in reply.cards[i:]] + more
            break
        if blocks:
            blocks.append(DIVIDER)
        blocks += part
    if more:
        names = ", ".join(f"`{escape(clip(c, 64))}`" for c in more)
        if reply.skipped:
            names += f" and {reply.skipped} more codes, not looked at"
        blocks.append(
            ContextBlock(
                block_id="more",
                elements=[
                    mrkdwn(clip(f"Also found: {names}. Ask `/hwerror CODE` for any of them.", SECTION_MAX))
                ],
            ).to_dict()
        )
    texts = [_fallback(c) for c in reply.cards]
    if more:
        texts.append("Also found: " + ", ".join(more))
    text = clip(escape(" | ".join(texts)), FALLBACK_MAX)
    return SlackMessage(text=text, blocks=blocks)


def usage_message() -> SlackMessage:
    return SlackMessage(
        text="hwerror explains Huawei Cloud API errors: /hwerror AIS.0027",
        blocks=[SectionBlock(text=mrkdwn(USAGE)).to_dict()],
    )


def nothing_found_message(query: str) -> SlackMessage:
    shown = escape(clip(" ".join(query.split()), 300))
    text = (
        f"I found no Huawei Cloud error code in _{shown}_.\n"
        "Try `/hwerror AIS.0027`, `/hwerror ais 27`, an error message, or the whole error body."
    )
    return SlackMessage(
        text=clip(f"No Huawei Cloud error code found in: {shown}", FALLBACK_MAX),
        blocks=[SectionBlock(text=mrkdwn(clip(text, SECTION_MAX))).to_dict()],
    )


def shared_by(message: SlackMessage, who: str) -> SlackMessage:
    line = ContextBlock(elements=[mrkdwn(f"Shared by {escape(clip(who, 100))} with /hwerror")]).to_dict()
    return SlackMessage(text=message.text, blocks=[*message.blocks, line])


def from_screenshot(message: SlackMessage) -> SlackMessage:
    """An answer whose text was read off an image says so: OCR can misread."""
    line = ContextBlock(
        block_id="screenshot", elements=[mrkdwn(":frame_with_picture: Read from the screenshot.")]
    ).to_dict()
    blocks = [*message.blocks[: MAX_BLOCKS - 1], line]
    return SlackMessage(text=clip(f"Read from the screenshot: {message.text}", FALLBACK_MAX), blocks=blocks)
