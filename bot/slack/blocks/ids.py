"""Every action_id and callback_id the app sends, so the builders and the listeners agree."""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    POST = "hwerror_post"
    HELPFUL = "hwerror_helpful"
    NOT_HELPFUL = "hwerror_not_helpful"
    ESCALATE = "hwerror_escalate"
    ADD_NOTE = "hwerror_add_note"
    PICK = "hwerror_pick"  # PICK:0, PICK:1, … (unique within an actions block)
    RESOLVE = "hwerror_resolve_ticket"
    TEACH = "hwerror_teach"  # "Add to knowledge base" on an unknown code's card
    EDIT_HANDLING = "hwerror_edit_handling"
    VARIANT = "hwerror_variant"  # the select of a code's variants on its card


class CallbackId(StrEnum):
    NOTE_MODAL = "hwerror_note_modal"
    TEACH_MODAL = "hwerror_teach_modal"
    HANDLING_MODAL = "hwerror_handling_modal"
    SHORTCUT = "hwerror_explain"  # the "Explain Huawei error" message shortcut (manifest.yml)


COMMAND = "/hwerror"
NOTE_BLOCK = "note"
NOTE_INPUT = "note_text"
FIELD_INPUT = "value"  # the one input of each block of the teach and handling modals
