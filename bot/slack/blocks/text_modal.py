"""A modal of one kind: a line about the card, then one multi-line text field (team note, handling)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

from bot.slack.blocks.ids import CallbackId
from bot.slack.blocks.text import SECTION_MAX, clip, mrkdwn, plain


@dataclass(frozen=True)
class TextField:
    block_id: str
    action_id: str
    label: str
    max_length: int
    initial: str | None = None


def text_modal(
    callback_id: CallbackId, title: str, intro: str, field: TextField, metadata: dict[str, Any]
) -> dict[str, Any]:
    """`intro` must already be safe mrkdwn (escape what it quotes)."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(title, 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=[
            SectionBlock(text=mrkdwn(clip(intro, SECTION_MAX))),
            InputBlock(
                block_id=field.block_id,
                label=plain(field.label, 2000),
                element=PlainTextInputElement(
                    action_id=field.action_id,
                    multiline=True,
                    max_length=field.max_length,
                    initial_value=field.initial or None,
                ),
            ),
        ],
    ).to_dict()
