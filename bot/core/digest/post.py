"""Post the weekly digest once per week and channel, whichever of several processes gets there first.

The claim is the core's; the posting is a `DigestPublisher`'s (bot.slack.digest for Slack).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.digest.compute import Digest, build_digest
from bot.core.digest.models import DigestPost
from bot.core.digest.weeks import Week
from knowledge.clock import utcnow
from knowledge.db import session_factory, transaction

log = logging.getLogger(__name__)


class PublishFailed(Exception):
    """The digest could not be posted; the message says why, in a few words (kept on the claim)."""


class DigestPublisher(Protocol):
    """Where a digest goes: `publish` posts it (and its chart) and returns the post's id."""

    channel: str

    def publish(self, digest: Digest) -> str:
        """Raises PublishFailed when the digest could not be posted."""
        ...


# A claim whose process died mid-post, or whose post failed, is taken over after this long: soon
# enough to recover on the same morning, slow enough not to hammer Slack with a failing post.
STALE_CLAIM = timedelta(minutes=15)


def claim(session: Session, channel: str, week: str, now: datetime) -> bool:
    """True for the one caller that may post this week's digest to this channel."""
    try:
        with session.begin_nested():
            session.add(DigestPost(channel=channel, week=week, status="posting", claimed_at=now))
        return True
    except IntegrityError:
        pass
    taken = session.execute(
        update(DigestPost)
        .where(
            DigestPost.channel == channel,
            DigestPost.week == week,
            DigestPost.status.in_(("posting", "failed")),
            DigestPost.claimed_at < now - STALE_CLAIM,
        )
        .values(status="posting", claimed_at=now, error=None)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def post_digest(
    engine: Engine, publisher: DigestPublisher, week: Week, *, now: datetime | None = None
) -> str | None:
    """Post `week`'s digest unless it was posted to that channel already; returns the post's id."""
    now = now or utcnow()
    channel = publisher.channel
    with transaction(engine) as session:
        if not claim(session, channel, week.label, now):
            return None
    try:
        with session_factory(engine)() as session:
            digest = build_digest(session, week)
        ts = publisher.publish(digest)
    except PublishFailed as exc:
        error = (str(exc).splitlines() or ["unknown error"])[0][:500]
        log.warning("digest %s for %s not posted: %s", week.label, channel, error)
        _finish(engine, channel, week.label, status="failed", error=error)
        raise
    _finish(engine, channel, week.label, status="posted", ts=ts)
    return ts


def _finish(
    engine: Engine, channel: str, week: str, *, status: str, ts: str | None = None, error: str | None = None
) -> None:
    with transaction(engine) as session:
        session.execute(
            update(DigestPost)
            .where(DigestPost.channel == channel, DigestPost.week == week)
            .values(
                status=status, message_ts=ts, error=error, posted_at=utcnow() if status == "posted" else None
            )
        )
