"""Block Kit for one card (remedy, unknown code, choice) and the buttons on it."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.cards import Card, Choice, ChoiceCard, RemedyCard, UnknownCard
from bot.slack.blocks.card_value import button_value
from bot.slack.blocks.ids import ActionId
from bot.slack.blocks.text import (
    FIELD_MAX,
    HEADER_MAX,
    SECTION_MAX,
    clip,
    escape,
    first_line,
    mrkdwn,
    plain,
    safe_url,
    titled,
)
from bot.slack.blocks.variants import variant_blocks


def remedy_blocks(card: RemedyCard, i: int, *, ephemeral: bool, thread_ts: str | None = None) -> list[Block]:
    fields = [
        mrkdwn(f"*HTTP status*\n{card.entry.status if card.entry.status is not None else '-'}"),
        mrkdwn(titled("Service", card.service, FIELD_MAX)),
        mrkdwn(f"*Who acts*\n{card.entry.who_acts.label}"),
    ]
    if card.seen_7d is not None:
        fields.append(mrkdwn(f"*Seen in the last 7 days*\n{card.seen_7d}"))
    if card.ticket is not None:
        fields.append(mrkdwn(titled("Ticket", card.ticket, FIELD_MAX)))
    if card.request_id:
        fields.append(mrkdwn(titled("Request ID", card.request_id, 200)))
    blocks: list[Block] = [
        HeaderBlock(
            block_id=f"c{i}.head", text=plain(f"{card.code} {first_line(card.entry.message)}", HEADER_MAX)
        ),
        SectionBlock(block_id=f"c{i}.fields", fields=fields),
        SectionBlock(block_id=f"c{i}.means", text=mrkdwn(titled("What it means", card.entry.description))),
        SectionBlock(block_id=f"c{i}.todo", text=mrkdwn(titled("What to do", card.entry.handling))),
    ]
    if card.notes:
        lines = [f"• {escape(n.text)} ({escape(n.author)}, {n.at:%Y-%m-%d})" for n in card.newest_notes]
        if card.more_notes:
            lines.append(f"_and {card.more_notes} more: `hwerror kb show {escape(card.code)}`_")
        text = "*Team notes*\n" + "\n".join(lines)
        blocks.append(SectionBlock(block_id=f"c{i}.notes", text=mrkdwn(clip(text, SECTION_MAX))))
    if not card.confident:
        blocks.append(
            ContextBlock(
                block_id=f"c{i}.unsure",
                elements=[
                    mrkdwn(
                        "Not sure this is the error you meant."
                        + (" Did you mean:" if card.alternatives else "")
                    )
                ],
            )
        )
        if card.alternatives:
            blocks.append(_pick_actions(f"c{i}.pick", card.alternatives, thread_ts))
    elif card.open_services:
        names = ", ".join(escape(s) for s in card.open_services)
        lines = [f"`{escape(c.service)}`: {escape(first_line(c.message))}" for c in card.alternatives]
        text = f"{card.code} is in several services ({names}) and nothing says which. " + "  ".join(lines)
        blocks.append(ContextBlock(block_id=f"c{i}.services", elements=[mrkdwn(clip(text, SECTION_MAX))]))
        if card.alternatives:
            blocks.append(_pick_actions(f"c{i}.pick", card.alternatives, thread_ts))
    blocks += variant_blocks(card, i, thread_ts)
    blocks.append(ContextBlock(block_id=f"c{i}.meta", elements=_meta(card)))
    blocks.append(ActionsBlock(block_id=f"c{i}.act", elements=_card_buttons(card, ephemeral, thread_ts)))
    return blocks


def _meta(card: RemedyCard) -> list[MarkdownTextObject]:
    parts = []
    url = safe_url(card.entry.doc_url)
    if url:
        parts.append(f"<{url}|Documentation>")
    t = card.tally
    if t.helpful or t.not_helpful:
        parts.append(f":+1: {t.helpful}  :-1: {t.not_helpful}")
    if t.escalations:
        parts.append(f":rotating_light: escalation requested ({t.escalations})")
    return [mrkdwn(" · ".join(parts) if parts else escape(card.service))]


def _card_buttons(card: RemedyCard, ephemeral: bool, thread_ts: str | None) -> list[ButtonElement]:
    value = button_value(card.key, thread_ts)
    buttons = []
    if ephemeral:
        buttons.append(
            ButtonElement(
                text=plain("Post to channel", 75), action_id=ActionId.POST, value=value, style="primary"
            )
        )
    buttons += [
        ButtonElement(text=plain(":+1: Helpful", 75), action_id=ActionId.HELPFUL, value=value),
        ButtonElement(text=plain(":-1: Not helpful", 75), action_id=ActionId.NOT_HELPFUL, value=value),
    ]
    if card.public:  # shown outside the workspace: no escalation, no team notes
        return buttons
    buttons += [
        ButtonElement(
            text=plain("Escalate now", 75),
            action_id=ActionId.ESCALATE,
            value=value,
            style="danger",
            confirm=ConfirmObject(
                title=plain("Escalate this error?", 100),
                text=plain(f"Ask for a ticket about {card.code} now.", 300),
                confirm=plain("Escalate", 30),
                deny=plain("Cancel", 30),
            ),
        ),
        ButtonElement(text=plain("Add team note", 75), action_id=ActionId.ADD_NOTE, value=value),
        # Admins only: the service refuses everyone else when it is pressed.
        ButtonElement(text=plain("Edit handling", 75), action_id=ActionId.EDIT_HANDLING, value=value),
    ]
    return buttons


def _pick_actions(block_id: str, choices: tuple[Choice, ...], thread_ts: str | None) -> ActionsBlock:
    return ActionsBlock(
        block_id=block_id,
        elements=[
            ButtonElement(
                text=plain(c.code, 75), action_id=f"{ActionId.PICK}:{n}", value=button_value(c.key, thread_ts)
            )
            for n, c in enumerate(choices[:5])
        ],
    )


def _choice_lines(choices: tuple[Choice, ...]) -> str:
    return "\n".join(f"• `{escape(c.code)}` {escape(clip(first_line(c.message), 150))}" for c in choices[:5])


def unknown_blocks(card: UnknownCard, i: int, thread_ts: str | None = None) -> list[Block]:
    text = f"*`{escape(clip(card.code, 64))}` is not in the knowledge base yet.*"
    if card.status is not None:
        text += f" (HTTP {card.status})"
    if card.message:
        text += "\n> " + escape(clip(" ".join(card.message.split()), 500))
    blocks: list[Block] = [SectionBlock(block_id=f"c{i}.unknown", text=mrkdwn(text))]
    # Shown outside the workspace: nothing is recorded for them, and they may not teach it.
    note = (
        "Not in the knowledge base."
        if card.public
        else "Recorded as a knowledge gap, so the team can add it."
    )
    if card.candidates:
        note += " Close matches:\n" + _choice_lines(card.candidates)
    blocks.append(ContextBlock(block_id=f"c{i}.gap", elements=[mrkdwn(clip(note, SECTION_MAX))]))
    if card.candidates:
        blocks.append(_pick_actions(f"c{i}.pick", card.candidates, thread_ts))
    if card.public:
        return blocks
    # What the paste said of the code, to start the form with (a button value holds 2,000 chars).
    taught = {
        "c": clip(card.code, 64),
        "m": clip(card.message, 1500) if card.message else None,
        "st": card.status,
    }
    teach = ButtonElement(
        text=plain("Add to knowledge base", 75),
        action_id=ActionId.TEACH,
        value=json.dumps(taught, separators=(",", ":")),
    )
    blocks.append(ActionsBlock(block_id=f"c{i}.teach", elements=[teach]))
    return blocks


def choice_blocks(card: ChoiceCard, i: int, thread_ts: str | None = None) -> list[Block]:
    text = f"`{escape(clip(card.code, 64))}` could be any of these:\n" + _choice_lines(card.candidates)
    return [
        SectionBlock(block_id=f"c{i}.choose", text=mrkdwn(clip(text, SECTION_MAX))),
        _pick_actions(f"c{i}.pick", card.candidates, thread_ts),
    ]


@lru_cache(maxsize=2048)
def card_dicts(card: Card, i: int, ephemeral: bool, thread_ts: str | None) -> tuple[dict[str, Any], ...]:
    """A card's blocks as JSON-ready dicts, memoised: cards are immutable and the same few are asked
    for again and again, and slack_sdk's to_dict() validation is the costliest step of an answer.
    The dicts are shared between answers: read them, never change them."""
    return tuple(b.to_dict() for b in card_blocks(card, i, ephemeral=ephemeral, thread_ts=thread_ts))


def card_blocks(card: Card, i: int, *, ephemeral: bool, thread_ts: str | None = None) -> list[Block]:
    if isinstance(card, RemedyCard):
        return remedy_blocks(card, i, ephemeral=ephemeral, thread_ts=thread_ts)
    if isinstance(card, UnknownCard):
        return unknown_blocks(card, i, thread_ts)
    return choice_blocks(card, i, thread_ts)


def replace_card(blocks: list[dict[str, Any]], i: int, new: list[Block]) -> list[dict[str, Any]]:
    """The message's blocks with card number i re-rendered (after a vote, an escalation, a note)."""
    prefix = f"c{i}."
    out: list[dict[str, Any]] = []
    done = False
    for b in blocks:
        if str(b.get("block_id", "")).startswith(prefix):
            if not done:
                out += [x.to_dict() for x in new]
                done = True
            continue
        out.append(b)
    return out


def card_index(block_id: str | None) -> int | None:
    if not block_id or not block_id.startswith("c") or "." not in block_id:
        return None
    head = block_id[1:].split(".", 1)[0]
    return int(head) if head.isdigit() else None
