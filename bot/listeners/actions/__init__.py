from __future__ import annotations

import re

from slack_bolt import App

from bot.listeners.actions import escalate, feedback, note, pick, post, resolve
from bot.messages import ADD_NOTE, ESCALATE, HELPFUL, NOT_HELPFUL, PICK, POST
from bot.reports import RESOLVE


def register(app: App) -> None:
    app.action(POST)(post.post_to_channel)
    app.action(HELPFUL)(feedback.helpful)
    app.action(NOT_HELPFUL)(feedback.not_helpful)
    app.action(ESCALATE)(escalate.escalate_now)
    app.action(RESOLVE)(resolve.resolve_ticket)
    app.action(ADD_NOTE)(note.open_note_modal)
    app.action(re.compile(rf"^{PICK}:\d+$"))(pick.pick_candidate)
