"""Block Kit for a code's variants on its card: "2 of 8 variants" and a select to switch."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, Option, SectionBlock, StaticSelectElement

from bot.core.cards import Choice, RemedyCard
from bot.slack.blocks.card_value import button_value
from bot.slack.blocks.ids import ActionId
from bot.slack.blocks.text import escape, first_line, mrkdwn, plain

MAX_OPTIONS = 100  # Slack's limit for a static_select


def variant_blocks(card: RemedyCard, i: int, thread_ts: str | None) -> list[Block]:
    """Nothing for a code with one entry; otherwise where this card stands and the others."""
    number = card.variant_number
    if number is None:
        return []
    shown = card.variants[:MAX_OPTIONS]
    options = [_option(n, c, thread_ts) for n, c in enumerate(shown, 1)]
    services = {c.service for c in card.variants}
    where = f" in {len(services)} services" if len(services) > 1 else ""
    text = f"{escape(card.code)}: {number} of {len(card.variants)} variants{where}"
    select = StaticSelectElement(
        action_id=ActionId.VARIANT,
        placeholder=plain("Show another variant", 150),
        options=options,
        initial_option=options[number - 1] if number <= len(options) else None,
    )
    return [SectionBlock(block_id=f"c{i}.variants", text=mrkdwn(text), accessory=select)]


def _option(n: int, choice: Choice, thread_ts: str | None) -> Option:
    status = f" {choice.status}" if choice.status is not None else ""
    label = f"{n}. {choice.service}{status}: {first_line(choice.message)}"
    return Option(value=button_value(choice.key, thread_ts), text=plain(label, 75))
