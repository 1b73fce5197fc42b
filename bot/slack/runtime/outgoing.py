"""The core's results as Slack deliveries: what the sender will post, and where it paces them."""

from __future__ import annotations

import hashlib
from typing import Any

from bot.core.digest.compute import Digest
from bot.core.incidents.desk import Escalated
from bot.core.incidents.enums import Source
from bot.core.outgoing import Delivery
from bot.core.pipeline import Reply
from bot.core.store import MessageRef
from bot.slack.blocks.digest import digest_message
from bot.slack.blocks.escalation import escalation_message, thread_notice
from bot.slack.blocks.parts import reply_parts
from bot.slack.blocks.text import SlackMessage

POST = "chat.postMessage"
EPHEMERAL = "chat.postEphemeral"
UPDATE = "chat.update"
RESPONSE_URL = "response_url"
PUBLISH = "views.publish"
DIGEST = "digest"  # the digest's message, then its chart in the message's thread

# Sightings that happened in a Slack conversation, where a thread reply makes sense.
IN_SLACK = frozenset({Source.PASTE, Source.SHORTCUT, Source.COMMAND})


def lane(method: str, channel: str | None) -> str:
    return f"{method}:{channel or '-'}"[:100]


def post(channel: str, message: SlackMessage, key: str, *, thread_ts: str | None = None) -> Delivery:
    """One message to post (a card shared to the channel, a notice)."""
    return Delivery(
        POST,
        lane(POST, channel),
        {"channel": channel, "thread_ts": thread_ts, "parts": [_whole(message)], "posted": []},
        key,
    )


def _whole(message: SlackMessage) -> dict[str, Any]:
    return {"kwargs": message.kwargs(), "smaller": [{"kwargs": {"text": message.text}, "smaller": []}]}


class SlackOutgoing:
    """The `Outgoing` of the Slack front end."""

    def __init__(self, escalation_channel: str | None, digest_channel: str | None = None) -> None:
        self.escalation_channel = escalation_channel
        self.digest_channel = digest_channel

    def reply(self, reply: Reply, ref: MessageRef) -> list[Delivery]:
        codes = ",".join(sorted(c.code for c in reply.cards) + sorted(reply.more))
        digest = hashlib.sha1(codes.encode(), usedforsecurity=False).hexdigest()[:16]
        payload = {
            "channel": ref.channel,
            "thread_ts": ref.thread_ts,
            "parts": reply_parts(reply, thread_ts=ref.thread_ts),
            "posted": [],
        }
        return [Delivery(POST, lane(POST, ref.channel), payload, f"reply:{ref.channel}:{ref.ts}:{digest}")]

    def escalated(self, escalated: Escalated) -> list[Delivery]:
        e = escalated
        key = f"{e.view.ticket_id}:{e.action}:{e.view.times_reopened}"
        out = []
        if self.escalation_channel:
            card = escalation_message(
                e.view, e.action, external_url=e.external_url, console_url=e.console_url
            )
            out.append(post(self.escalation_channel, card, f"escalation:{key}"))
        where = e.sighting
        if where.source in IN_SLACK and where.channel and where.thread_ts:
            notice = thread_notice(e.view, e.action)
            out.append(post(where.channel, notice, f"escalation-thread:{key}", thread_ts=where.thread_ts))
        return out

    def digest(self, digest: Digest, key: str) -> list[Delivery]:
        from bot.core.digest.chart import chart_png  # matplotlib: loaded only by the process that posts

        channel = self.digest_channel
        if not channel:
            return []
        png = chart_png(digest)
        payload = {
            "channel": channel,
            "parts": [_whole(digest_message(digest))],
            "posted": [],
            "chart": png.hex() if png is not None else None,
            "filename": f"hwerror-{digest.week.label}.png",
            "title": f"Incidents per day, {digest.week.label}",
        }
        return [Delivery(DIGEST, lane(POST, channel), payload, key)]
