"""The weekly digest in Slack: queued in the outbox as one item (the message, then its chart in
the message's thread), which the chat sender delivers once: a chart upload that fails is tried
again on its own, and the message is never posted a second time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.core.digest.compute import Digest
from bot.core.digest.post import PublishFailed
from bot.core.outgoing import owe
from bot.slack.runtime.outgoing import SlackOutgoing
from knowledge.db import transaction

# A digest still undelivered after this long is a dead item (`hwerror outbox` lists it).
DIGEST_DEADLINE = timedelta(days=2)


class SlackDigestPublisher:
    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine = engine
        self.channel = channel

    def publish(self, digest: Digest) -> str:
        """Queue the digest; returns its outbox key (one per channel and week)."""
        key = f"digest:{self.channel}:{digest.week.label}"
        try:
            with transaction(self.engine) as session:
                owe(session, SlackOutgoing(None, self.channel).digest(digest, key), deadline=DIGEST_DEADLINE)
        except DBAPIError as exc:
            raise PublishFailed(f"the outbox is unavailable: {type(exc.orig or exc).__name__}") from exc
        return key
