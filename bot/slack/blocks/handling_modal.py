"""The "Edit handling" modal: an admin's better "What to do" for a known entry."""

from __future__ import annotations

from typing import Any

from bot.core.cards import RemedyCard
from bot.core.teach import TEXT_MAX
from bot.slack.blocks.ids import FIELD_INPUT, CallbackId
from bot.slack.blocks.text import clip, escape, first_line
from bot.slack.blocks.text_modal import TextField, text_modal

HANDLING_BLOCK = "handling"


def handling_modal(card: RemedyCard, metadata: dict[str, Any]) -> dict[str, Any]:
    message = escape(clip(first_line(card.entry.message), 500))
    intro = (
        f"*{escape(card.code)}* ({escape(card.service)}) {message}\n"
        'The new text replaces "What to do" on this card for everyone; the change is audited.'
    )
    field = TextField(
        HANDLING_BLOCK, FIELD_INPUT, "What to do", TEXT_MAX, clip(card.entry.handling, TEXT_MAX)
    )
    return text_modal(CallbackId.HANDLING_MODAL, "Edit handling", intro, field, metadata)
