"""Every listener of the Slack app, registered the way Slack's Bolt templates do it."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, shortcuts, views
from bot.slack.listeners.events.unhandled import register_fallbacks


def register_listeners(app: App) -> None:
    commands.register(app)
    actions.register(app)
    shortcuts.register(app)
    views.register(app)
    events.register(app)
    # Add new listeners above this line: the fallbacks answer anything not yet handled.
    register_fallbacks(app)
