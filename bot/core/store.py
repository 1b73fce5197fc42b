"""What the bot writes: reply claims, knowledge gaps, votes, escalation requests.

Every "only once" rule is a UNIQUE constraint and an insert that may lose, never a lookup followed
by an insert, so two processes (or two threads) cannot both win. The code is the same on SQLite and
PostgreSQL: a lost insert is an IntegrityError, rolled back, and the loser moves on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.cards import Tally
from bot.core.models import AnsweredMessage, EscalationRequest, FeedbackVote, KnowledgeGap
from knowledge.clock import utcnow


@dataclass(frozen=True)
class MessageRef:
    """A Slack message the bot may answer, and where the answer goes."""

    channel: str
    ts: str
    thread_ts: str
    author: str | None = None
    by_bot: bool = False


def _insert_once(session: Session, row: object) -> bool:
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def claim_codes(session: Session, ref: MessageRef, codes: Iterable[str]) -> list[str]:
    """Claim the right to answer each code of a message; returns the codes this caller won."""
    won = []
    for code in codes:
        row = AnsweredMessage(channel_id=ref.channel, message_ts=ref.ts, code=code[:64],
                              thread_ts=ref.thread_ts, author=ref.author)
        if _insert_once(session, row):
            won.append(code)
    return won


def release_codes(session: Session, ref: MessageRef, codes: Iterable[str]) -> None:
    """Give claims back (the reply could not be posted), so a retry of the event may answer."""
    session.execute(
        delete(AnsweredMessage).where(
            AnsweredMessage.channel_id == ref.channel,
            AnsweredMessage.message_ts == ref.ts,
            AnsweredMessage.code.in_([c[:64] for c in codes]),
        )
    )
    session.commit()


def bot_messages_answered(session: Session, channel: str, author: str, within: timedelta) -> int:
    """How many messages of one bot in one channel were answered lately (the loop guard)."""
    since = utcnow() - within
    return session.scalar(
        select(func.count(func.distinct(AnsweredMessage.message_ts))).where(
            AnsweredMessage.author == author,
            AnsweredMessage.channel_id == channel,
            AnsweredMessage.created_at >= since,
        )
    ) or 0


def record_gap(session: Session, code: str, times: int = 1) -> None:
    """Count `times` more sightings of a code the knowledge base lacks."""
    code = code[:64]
    now = utcnow()
    bump = (
        update(KnowledgeGap)
        .where(KnowledgeGap.code == code)
        .values(count=KnowledgeGap.count + times, last_seen=now)
        .execution_options(synchronize_session=False)
    )
    if session.execute(bump).rowcount:  # type: ignore[attr-defined]
        session.commit()
        return
    if not _insert_once(session, KnowledgeGap(code=code, count=times, first_seen=now, last_seen=now)):
        session.execute(bump)  # another process inserted it first
        session.commit()


def record_vote(session: Session, entry_id: int, user_id: str, helpful: bool) -> Tally:
    """One vote per person per entry: a second vote replaces the first."""
    change = (
        update(FeedbackVote)
        .where(FeedbackVote.entry_id == entry_id, FeedbackVote.user_id == user_id)
        .values(helpful=helpful, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if session.execute(change).rowcount:  # type: ignore[attr-defined]
        session.commit()
    elif not _insert_once(session, FeedbackVote(entry_id=entry_id, user_id=user_id, helpful=helpful)):
        session.execute(change)
        session.commit()
    return tally(session, entry_id)


def record_escalation(
    session: Session,
    *,
    entry_id: int | None,
    service: str,
    code: str,
    requested_by: str,
    channel_id: str | None,
    message_ts: str | None,
) -> int:
    request = EscalationRequest(entry_id=entry_id, service=service, code=code,
                                requested_by=requested_by[:100], channel_id=channel_id, message_ts=message_ts)
    session.add(request)
    session.commit()
    return request.id


def tally(session: Session, entry_id: int) -> Tally:
    votes = dict(
        session.execute(
            select(FeedbackVote.helpful, func.count()).where(FeedbackVote.entry_id == entry_id)
            .group_by(FeedbackVote.helpful)
        ).all()
    )
    escalations = session.scalar(
        select(func.count()).select_from(EscalationRequest).where(
            EscalationRequest.entry_id == entry_id, EscalationRequest.status == "requested"
        )
    ) or 0
    session.commit()  # end the read transaction: no connection is held past this call
    return Tally(helpful=votes.get(True, 0), not_helpful=votes.get(False, 0), escalations=escalations)
