"""Paste mode in channels: which Slack messages the bot answers, and where the answer goes.

Answered: plain messages, `file_share`, `thread_broadcast`, `bot_message` and edits
(`message_changed`, whose new text may carry a new error). Never the bot's own messages. Other
bots are answered (monitoring bots post errors) but only for top-level messages and at most
`HWERROR_BOT_REPLIES_PER_MINUTE` of one bot's messages per channel and minute, so two bots cannot
keep answering each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.store import MessageRef
from bot.slack.message_text import message_text

ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "bot_message"})
EDITED = "message_changed"


@dataclass(frozen=True)
class Incoming:
    channel: str
    ts: str
    thread_ts: str  # the thread the reply goes to: the parent's, or the message's own ts
    text: str
    user: str | None
    bot_id: str | None
    in_thread: bool  # a reply inside a thread rather than a top-level message
    message: dict[str, Any]  # as Slack sent it: files whose preview is cut off are read from here

    @property
    def ref(self) -> MessageRef:
        return MessageRef(
            channel=self.channel, ts=self.ts, thread_ts=self.thread_ts, author=self.bot_id or self.user
        )


def incoming(event: dict[str, Any]) -> Incoming | None:
    """The message an event carries, if it is one we may answer."""
    subtype = event.get("subtype")
    message = event
    if subtype == EDITED:
        message = event.get("message") or {}
        subtype = message.get("subtype")
    if subtype not in ANSWERED_SUBTYPES:
        return None
    channel, ts = event.get("channel"), message.get("ts")
    if not channel or not ts:
        return None
    parent = message.get("thread_ts")
    return Incoming(
        channel=channel,
        ts=ts,
        thread_ts=parent or ts,
        text=message_text(message),
        user=message.get("user"),
        bot_id=message.get("bot_id"),
        in_thread=bool(parent) and parent != ts,
        message=message,
    )


def is_own(msg: Incoming, bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool((bot_user_id and msg.user == bot_user_id) or (bot_id and msg.bot_id == bot_id))
