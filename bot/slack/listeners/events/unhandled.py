"""Whatever nobody handles still gets a 200: Bolt would answer 404, and Slack turns off the event
subscriptions of an app that fails more than 5% of deliveries."""

from __future__ import annotations

import re

from slack_bolt import Ack, App


def acknowledge(ack: Ack) -> None:
    ack()


def register_fallbacks(app: App) -> None:
    """Bolt runs the first listener that matches: these must be registered after all others."""
    app.event(re.compile(".*"))(acknowledge)
    app.action(re.compile(".*"))(acknowledge)  # an old message's button, a link button
