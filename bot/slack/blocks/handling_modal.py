"""The "Edit handling" modal: an admin's better "What to do" for a known entry."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

from bot.core.cards import RemedyCard
from bot.core.teach import TEXT_MAX
from bot.slack.blocks.ids import FIELD_INPUT, CallbackId
from bot.slack.blocks.text import SECTION_MAX, clip, escape, first_line, mrkdwn, plain

HANDLING_BLOCK = "handling"


def handling_modal(card: RemedyCard, metadata: dict[str, Any]) -> dict[str, Any]:
    message = escape(clip(first_line(card.entry.message), 500))
    intro = (
        f"*{escape(card.code)}* ({escape(card.service)}) {message}\n"
        'The new text replaces "What to do" on this card for everyone; the change is audited.'
    )
    return View(
        type="modal",
        callback_id=CallbackId.HANDLING_MODAL,
        title=plain("Edit handling", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=[
            SectionBlock(text=mrkdwn(clip(intro, SECTION_MAX))),
            InputBlock(
                block_id=HANDLING_BLOCK,
                label=plain("What to do", 2000),
                element=PlainTextInputElement(
                    action_id=FIELD_INPUT,
                    multiline=True,
                    max_length=TEXT_MAX,
                    initial_value=clip(card.entry.handling, TEXT_MAX) or None,
                ),
            ),
        ],
    ).to_dict()
