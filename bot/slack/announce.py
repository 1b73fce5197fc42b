"""Telling Slack about escalations: the card in the escalation channel and the reply in the
thread that tipped the code over. A Slack failure is logged: the ticket exists and is listed by
`/hwerror tickets`, so nothing is lost."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.incidents.desk import Escalated
from bot.core.incidents.enums import Source
from bot.slack.blocks.escalation import escalation_message, thread_notice

log = logging.getLogger(__name__)

# Sightings that happened in a Slack conversation, where a thread reply makes sense.
IN_SLACK = frozenset({Source.PASTE, Source.SHORTCUT, Source.COMMAND})


def announce(client: WebClient, escalation_channel: str | None, escalated: Iterable[Escalated]) -> None:
    for e in escalated:
        if escalation_channel:
            card = escalation_message(
                e.view, e.action, external_url=e.external_url, console_url=e.console_url
            )
            _post(client, channel=escalation_channel, **card.kwargs())
        where = e.sighting
        if where.source in IN_SLACK and where.channel and where.thread_ts:
            _post(
                client,
                channel=where.channel,
                thread_ts=where.thread_ts,
                **thread_notice(e.view, e.action).kwargs(),
            )


def _post(client: WebClient, **kwargs: object) -> None:
    try:
        client.chat_postMessage(unfurl_links=False, unfurl_media=False, **kwargs)  # type: ignore[arg-type]
    except SlackApiError as exc:
        log.warning(
            "escalation notice not posted to %s: %s", kwargs.get("channel"), exc.response.get("error")
        )
