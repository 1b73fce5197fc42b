"""What a listener owes Slack, written to the outbox instead of called on the request's thread.

`Owed` is put into every listener's arguments (as `owed`) and Bolt's `respond` is replaced by
`OwedRespond`, so a listener acknowledges, queues what it owes and returns: the chat sender
makes the calls, paced, retried and once. When the database cannot take the item, the call is
made at once instead (best effort): a reply that might be late is better than one never sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.outgoing import Delivery, owe
from bot.slack.blocks.text import SlackMessage
from bot.slack.runtime.outgoing import RESPONSE_URL, lane, post

log = logging.getLogger("hwerror.slack")


class Owed:
    def __init__(self, sessions: sessionmaker[Session], client: WebClient, wake: Callable[[], None]) -> None:
        self.sessions = sessions
        self.client = client
        self.wake = wake

    def post(
        self,
        channel: str,
        message: SlackMessage,
        *,
        thread_ts: str | None = None,
        fallback_url: str | None = None,
        then: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> None:
        """`fallback_url`: a response_url that posts in the channel when the bot is not in it;
        `then`: response_url posts to make once the message is posted (in this order)."""
        delivery = post(channel, message, _key("post"), thread_ts=thread_ts)
        if fallback_url:
            delivery.payload["fallback_url"] = fallback_url
        delivery.payload["then"] = [{"url": url, "body": body} for url, body in then]
        self._queue(delivery, direct=None)

    def call(self, method: str, where: str | None, /, **args: Any) -> None:
        """chat.update, chat.postEphemeral, views.publish: one call, queued; `where` (a channel,
        a user) is what its sender paces it by."""
        delivery = Delivery(method, lane(method, where), {"args": args}, _key(method))
        self._queue(delivery, direct=lambda: self.client.api_call(method, json=args))

    def respond(self, url: str, body: dict[str, Any]) -> None:
        delivery = Delivery(
            RESPONSE_URL, lane(RESPONSE_URL, url[-40:]), {"url": url, "body": body}, _key("respond")
        )
        self._queue(delivery, direct=lambda: Respond(response_url=url)(**body))

    def _queue(self, delivery: Delivery, direct: Callable[[], object] | None) -> None:
        try:
            with self.sessions() as session:
                owe(session, [delivery])
                session.commit()
        except DBAPIError as exc:
            log.error("outbox unavailable (%s): calling %s at once", type(exc).__name__, delivery.action)
            if direct is not None:
                direct()
            return
        self.wake()


class OwedRespond(Respond):
    """Bolt's `respond`, with the same arguments, through the outbox."""

    def __init__(self, response_url: str, owed: Owed) -> None:
        super().__init__(response_url=response_url)
        self.owed = owed

    def __call__(  # type: ignore[override]
        self,
        text: str | dict[str, Any] = "",
        blocks: list[Any] | None = None,
        attachments: list[Any] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        body: dict[str, Any] = dict(text) if isinstance(text, dict) else {"text": text}
        extra = {
            "blocks": [b.to_dict() if hasattr(b, "to_dict") else b for b in blocks] if blocks else None,
            "attachments": attachments,
            "response_type": response_type,
            "replace_original": replace_original,
            "delete_original": delete_original,
            "unfurl_links": unfurl_links,
            "unfurl_media": unfurl_media,
            "thread_ts": thread_ts,
            "metadata": metadata,
        }
        body.update({k: v for k, v in extra.items() if v is not None})
        self.owed.respond(str(self.response_url), body)


def _key(what: str) -> str:
    return f"{what}:{uuid.uuid4().hex}"
