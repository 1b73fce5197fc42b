"""Post the weekly digest once per week and channel, whichever of several processes gets there first."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.digest.compute import build_digest
from bot.core.digest.models import DigestPost
from bot.core.digest.weeks import Week
from bot.slack.blocks.digest import digest_message
from knowledge.clock import utcnow
from knowledge.db import session_factory, transaction

log = logging.getLogger(__name__)

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


def post_digest(engine: Engine, client: WebClient, channel: str, week: Week, *,
                now: datetime | None = None) -> str | None:
    """Post `week`'s digest to `channel` unless it was posted already; returns the message ts."""
    now = now or utcnow()
    with transaction(engine) as session:
        if not claim(session, channel, week.label, now):
            return None
    try:
        with session_factory(engine)() as session:
            digest = build_digest(session, week)
        message = digest_message(digest)
        answer = client.chat_postMessage(channel=channel, unfurl_links=False, **message.kwargs())
        ts = str(answer["ts"])
        from bot.core.digest.chart import chart_png  # matplotlib: loaded only by the process that posts

        png = chart_png(digest)
        if png is not None:
            # In the digest's thread, so the chart sits beside the figures without a second ping.
            client.files_upload_v2(channel=channel, thread_ts=ts, content=png,
                                   filename=f"hwerror-{week.label}.png",
                                   title=f"Incidents per day, {week.label}")
    except (SlackApiError, OSError) as exc:
        error = (exc.response.get("error") if isinstance(exc, SlackApiError) else None) or str(exc)
        error = error.splitlines()[0][:500]
        log.warning("digest %s for %s not posted: %s", week.label, channel, error)
        _finish(engine, channel, week.label, status="failed", error=error)
        raise
    _finish(engine, channel, week.label, status="posted", ts=ts)
    return ts


def _finish(engine: Engine, channel: str, week: str, *, status: str, ts: str | None = None,
            error: str | None = None) -> None:
    with transaction(engine) as session:
        session.execute(
            update(DigestPost)
            .where(DigestPost.channel == channel, DigestPost.week == week)
            .values(status=status, message_ts=ts, error=error,
                    posted_at=utcnow() if status == "posted" else None)
        )
