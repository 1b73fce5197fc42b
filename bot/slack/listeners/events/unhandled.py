"""Whatever nobody handles still gets a 200: Bolt would answer 404, and Slack turns off the event
subscriptions of an app that fails more than 5% of deliveries. Where Slack lets us answer, a
button, form or shortcut from an older version of the app says so instead of doing nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_bolt.middleware import Middleware
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from bot.slack.blocks.text import mrkdwn, notice, plain

log = logging.getLogger("hwerror.slack")

OLDER = "That is from an older version of hwerror. Run `/hwerror` again for a fresh card."


class AppRateLimited(Middleware):
    """Slack's `app_rate_limited` notice is no event a listener matches: answer it, and say it."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        if req.body.get("type") == "app_rate_limited":
            log.warning(
                "Slack is rate-limiting this app's events (minute %s): some events were not delivered",
                req.body.get("minute_rate_limited"),
            )
            return BoltResponse(status=200, body="")
        return next()


def acknowledge(ack: Ack) -> None:
    ack()


def older_button(ack: Ack, action: dict[str, Any], respond: Respond) -> None:
    ack()
    if action.get("url") or not respond.response_url:
        return  # a link button: Slack opened the link, there is nothing to do
    respond(response_type="ephemeral", replace_original=False, **notice(OLDER).kwargs())


def older_form(ack: Ack) -> None:
    view = View(
        type="modal",
        title=plain("hwerror", 24),
        close=plain("Close", 24),
        blocks=[SectionBlock(text=mrkdwn(OLDER))],
    )
    ack(response_action="update", view=view.to_dict())


def older_shortcut(ack: Ack, respond: Respond) -> None:
    ack()
    if respond.response_url:
        respond(response_type="ephemeral", replace_original=False, **notice(OLDER).kwargs())


def register_fallbacks(app: App) -> None:
    """Bolt runs the first listener that matches: these must be registered after all others."""
    app.event(re.compile(".*"))(acknowledge)
    app.action(re.compile(".*"))(older_button)
    app.view(re.compile(".*"))(older_form)
    app.shortcut(re.compile(".*"))(older_shortcut)
