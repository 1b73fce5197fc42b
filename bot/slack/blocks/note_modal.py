"""The team-note modal."""

from __future__ import annotations

from typing import Any

from bot.core.cards import RemedyCard
from bot.core.service import NOTE_MAX
from bot.slack.blocks.ids import NOTE_BLOCK, NOTE_INPUT, CallbackId
from bot.slack.blocks.text import clip, escape, first_line
from bot.slack.blocks.text_modal import TextField, text_modal


def note_modal(card: RemedyCard, metadata: dict[str, Any]) -> dict[str, Any]:
    intro = (
        f"*{escape(card.code)}* {escape(clip(first_line(card.entry.message), 500))}\n"
        "The note is shown on this card for everyone, with your name and the date."
    )
    field = TextField(NOTE_BLOCK, NOTE_INPUT, "What should the team know?", NOTE_MAX)
    return text_modal(CallbackId.NOTE_MODAL, "Team note", intro, field, metadata)
