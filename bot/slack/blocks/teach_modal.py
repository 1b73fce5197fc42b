"""The "Add to knowledge base" modal: a code the knowledge base lacks, as a person teaches it."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.teach import TEXT_MAX
from bot.slack.blocks.ids import FIELD_INPUT, CallbackId
from bot.slack.blocks.text import SECTION_MAX, clip, escape, mrkdwn, plain
from knowledge.types import WhoActs

# Block ids are Lesson's field names, so that its problems land on their fields.
FIELDS = ("service", "message", "description", "handling", "doc_url", "who_acts")
WHO_ACTS_AUTO = "auto"  # the select's "read it from the handling"


def _who_acts_select() -> InputBlock:
    auto = Option(value=WHO_ACTS_AUTO, label="Read it from the handling text")
    options = [auto, *(Option(value=w.value, label=w.label) for w in WhoActs)]
    return InputBlock(
        block_id="who_acts",
        label=plain("Who acts", 2000),
        optional=True,
        element=StaticSelectElement(action_id=FIELD_INPUT, options=options, initial_option=auto),
    )


def teach_modal(code: str, message: str | None, metadata: dict[str, Any]) -> dict[str, Any]:
    intro = (
        f"*{escape(clip(code, 64))}* is not in the knowledge base yet. What you add here is shown on "
        "its card for everyone at once, and recorded in the audit trail with your name. "
        "*Who acts* is read from the handling unless you choose it: "
        '"contact technical support" reads as Huawei support, "top up your account" as billing.'
    )

    def field(
        block_id: str,
        label: str,
        *,
        initial: str | None = None,
        multiline: bool = False,
        optional: bool = False,
        hint: str | None = None,
    ) -> InputBlock:
        return InputBlock(
            block_id=block_id,
            label=plain(label, 2000),
            optional=optional,
            hint=plain(hint, 2000) if hint else None,
            element=PlainTextInputElement(
                action_id=FIELD_INPUT,
                multiline=multiline,
                max_length=TEXT_MAX,
                initial_value=clip(initial, TEXT_MAX) if initial else None,
            ),
        )

    return View(
        type="modal",
        callback_id=CallbackId.TEACH_MODAL,
        title=plain("Add to knowledge base", 24),
        submit=plain("Add", 24),
        close=plain("Cancel", 24),
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=[
            SectionBlock(text=mrkdwn(clip(intro, SECTION_MAX))),
            field("service", "Service", hint="OCR, content-moderation, Optical Character Recognition …"),
            field("message", "Error message", initial=message),
            field("description", "What it means", multiline=True, optional=True),
            field("handling", "What to do", multiline=True, optional=True),
            _who_acts_select(),
            field("doc_url", "Documentation link", optional=True),
        ],
    ).to_dict()
