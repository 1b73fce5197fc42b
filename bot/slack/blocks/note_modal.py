"""The team-note modal."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

from bot.core.cards import RemedyCard
from bot.core.service import NOTE_MAX
from bot.slack.blocks.ids import NOTE_BLOCK, NOTE_INPUT, CallbackId
from bot.slack.blocks.text import SECTION_MAX, clip, escape, first_line, mrkdwn, plain


def note_modal(card: RemedyCard, metadata: dict[str, Any]) -> dict[str, Any]:
    intro = (
        f"*{escape(card.code)}* {escape(clip(first_line(card.entry.message), 500))}\n"
        "The note is shown on this card for everyone, with your name and the date."
    )
    return View(
        type="modal",
        callback_id=CallbackId.NOTE_MODAL,
        title=plain("Team note", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=[
            SectionBlock(text=mrkdwn(clip(intro, SECTION_MAX))),
            InputBlock(
                block_id=NOTE_BLOCK,
                label=plain("What should the team know?", 2000),
                element=PlainTextInputElement(action_id=NOTE_INPUT, multiline=True, max_length=NOTE_MAX),
            ),
        ],
    ).to_dict()
