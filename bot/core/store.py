"""What the bot writes: reply claims, knowledge gaps, votes, escalation requests.

Every "only once" rule is a UNIQUE constraint and an insert that may lose, never a lookup followed
by an insert, so two processes (or two threads) cannot both win. A lost insert is an
IntegrityError inside a savepoint, and the loser moves on; the code is the same on SQLite and
PostgreSQL. These functions never commit: the caller's unit of work does (the application
service); a message's claims are committed with the reply they owe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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


def _insert_once(session: Session, row: object) -> bool:
    """Insert the row unless a unique constraint already holds one like it."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def claim_codes(session: Session, ref: MessageRef, codes: Iterable[str], *, commit: bool = True) -> list[str]:
    """Claim the right to answer each code of a message; returns the codes this caller won.

    One INSERT … ON CONFLICT DO NOTHING RETURNING for all of them (both SQLite and PostgreSQL
    have it): the rows this caller inserted are the codes it won. With `commit`, the claims are
    committed at once; without, they are the caller's transaction's, with the reply it owes."""
    wanted = {code[:64]: code for code in codes}
    if not wanted:
        return []
    rows = [
        {
            "channel_id": ref.channel,
            "message_ts": ref.ts,
            "code": c,
            "thread_ts": ref.thread_ts,
            "author": ref.author,
        }
        for c in wanted
    ]
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert(AnsweredMessage).values(rows).on_conflict_do_nothing().returning(AnsweredMessage.code)
    inserted = set(session.scalars(statement))
    return [code for short, code in wanted.items() if short in inserted]


def bot_messages_answered(session: Session, channel: str, author: str, within: timedelta) -> int:
    """How many messages of one bot in one channel were answered lately (the loop guard)."""
    since = utcnow() - within
    return (
        session.scalar(
            select(func.count(func.distinct(AnsweredMessage.message_ts))).where(
                AnsweredMessage.author == author,
                AnsweredMessage.channel_id == channel,
                AnsweredMessage.created_at >= since,
            )
        )
        or 0
    )


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
        return
    if not _insert_once(session, KnowledgeGap(code=code, count=times, first_seen=now, last_seen=now)):
        session.execute(bump)  # another process inserted it first


def vote_of(session: Session, entry_id: int, user_id: str) -> bool | None:
    """The person's vote on an entry: True helpful, False not, None none yet."""
    return session.scalar(
        select(FeedbackVote.helpful).where(FeedbackVote.entry_id == entry_id, FeedbackVote.user_id == user_id)
    )


def record_vote(session: Session, entry_id: int, user_id: str, helpful: bool) -> Tally:
    """One vote per person per entry: a second vote replaces the first."""
    change = (
        update(FeedbackVote)
        .where(FeedbackVote.entry_id == entry_id, FeedbackVote.user_id == user_id)
        .values(helpful=helpful, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not session.execute(change).rowcount and not _insert_once(  # type: ignore[attr-defined]
        session, FeedbackVote(entry_id=entry_id, user_id=user_id, helpful=helpful)
    ):
        session.execute(change)
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
    request = EscalationRequest(
        entry_id=entry_id,
        service=service,
        code=code,
        requested_by=requested_by[:100],
        channel_id=channel_id,
        message_ts=message_ts,
    )
    session.add(request)
    session.flush()
    return request.id


def tally(session: Session, entry_id: int) -> Tally:
    votes = dict(
        session.execute(
            select(FeedbackVote.helpful, func.count())
            .where(FeedbackVote.entry_id == entry_id)
            .group_by(FeedbackVote.helpful)
        ).all()
    )
    escalations = (
        session.scalar(
            select(func.count())
            .select_from(EscalationRequest)
            .where(EscalationRequest.entry_id == entry_id, EscalationRequest.status == "requested")
        )
        or 0
    )
    return Tally(helpful=votes.get(True, 0), not_helpful=votes.get(False, 0), escalations=escalations)
