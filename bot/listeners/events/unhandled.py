"""Events nobody handles still get a 200: Bolt would answer 404, and Slack counts that as a failure."""

from __future__ import annotations

from slack_bolt import Ack


def acknowledge(ack: Ack) -> None:
    ack()
