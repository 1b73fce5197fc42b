from __future__ import annotations

import re

from slack_bolt import App

from bot.slack.blocks.ids import ActionId
from bot.slack.errors import answering_errors
from bot.slack.listeners.actions import (
    edit_handling,
    escalate,
    feedback,
    note,
    pick,
    post,
    resolve,
    teach,
    variant,
)


def register(app: App) -> None:
    app.action(ActionId.POST)(answering_errors(post.post_to_channel))
    app.action(ActionId.HELPFUL)(answering_errors(feedback.helpful))
    app.action(ActionId.NOT_HELPFUL)(answering_errors(feedback.not_helpful))
    app.action(ActionId.ESCALATE)(answering_errors(escalate.escalate_now))
    app.action(ActionId.RESOLVE)(answering_errors(resolve.resolve_ticket))
    app.action(ActionId.ADD_NOTE)(answering_errors(note.open_note_modal))
    app.action(re.compile(rf"^{ActionId.PICK}:\d+$"))(answering_errors(pick.pick_candidate))
    app.action(ActionId.VARIANT)(answering_errors(variant.switch_variant))
    app.action(ActionId.TEACH)(answering_errors(teach.open_teach_modal))
    app.action(ActionId.EDIT_HANDLING)(answering_errors(edit_handling.open_handling_modal))
