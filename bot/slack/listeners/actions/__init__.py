from __future__ import annotations

import re

from slack_bolt import App

from bot.slack.blocks.card import ADD_NOTE, ESCALATE, HELPFUL, NOT_HELPFUL, PICK, POST
from bot.slack.blocks.team import RESOLVE
from bot.slack.listeners.actions import escalate, feedback, note, pick, post, resolve


def register(app: App) -> None:
    app.action(POST)(post.post_to_channel)
    app.action(HELPFUL)(feedback.helpful)
    app.action(NOT_HELPFUL)(feedback.not_helpful)
    app.action(ESCALATE)(escalate.escalate_now)
    app.action(RESOLVE)(resolve.resolve_ticket)
    app.action(ADD_NOTE)(note.open_note_modal)
    app.action(re.compile(rf"^{PICK}:\d+$"))(pick.pick_candidate)
