"""Record findings as incidents and escalate the codes that recur.

Every write that two processes could race on is settled by a unique constraint: a second
delivery of a message inserts no second incident, and two escalations of one code open one
ticket. Savepoints keep a refused insert from spoiling the caller's transaction, and work the
same on SQLite and PostgreSQL.

A constraint cannot settle the decision to escalate, though, because that decision is a count:
"seen N times in W". Transactions that record one code at the same moment each see only their
own uncommitted incident, so if each counted whenever it liked, all of them could count fewer
than N, commit, and leave N incidents that nobody ever counted together: the threshold missed.
So the decision is taken one transaction at a time per (workspace, service, code), and after
the transaction's own incident is written: whoever decides last counts every incident, because
everyone before it has committed. On PostgreSQL that is a transaction-scoped advisory lock taken
before counting (`_decide_alone`): the waiter's next statement, under READ COMMITTED, reads a
fresh snapshot that holds the rows the lock's previous holder committed. It needs no table, no
row per code and no second transaction, is released by the commit, and costs one round trip
only for codes that can escalate. SQLite needs nothing more: our transactions start with BEGIN
IMMEDIATE (knowledge/db.py), so writers already run one at a time and each sees every commit
before it. Re-checking after commit would work too, but would need a second transaction on the
ack path and would still have to settle who opens the ticket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.incidents.enums import EscalationAction, Source, TicketEventAction, TicketStatus
from bot.core.incidents.models import Incident, Ticket, TicketEvent
from bot.core.incidents.outbox.queue import enqueue
from bot.core.incidents.policy import CodeActivity, EscalationPolicy
from bot.core.redaction import excerpt
from knowledge.clock import utcnow
from knowledge.matching.findings import Finding
from knowledge.models import Entry
from knowledge.types import WhoActs


@dataclass(frozen=True)
class Sighting:
    """Where findings were seen. `message_key` names the message; the same key is the same message."""

    workspace: str
    channel: str
    message_key: str
    source: Source
    text: str
    thread_ts: str | None = None
    user_id: str | None = None
    message_ts: str | None = None  # the Slack message pressed on, for an escalation request


@dataclass(frozen=True)
class Escalation:
    """What recording an incident did to its code's ticket."""

    ticket: Ticket
    action: EscalationAction
    reason: str | None = None


def recordable(findings: Iterable[Finding]) -> list[Finding]:
    """Confident findings, and codes the knowledge base lacks (knowledge gaps); not bare guesses."""
    return [f for f in findings if f.confident or not f.known]


def record_incidents(
    session: Session, sighting: Sighting, findings: Iterable[Finding], *, now: datetime | None = None
) -> list[Incident]:
    """Store one incident per finding; returns only those that are new (not a redelivery)."""
    now = now or utcnow()
    text = excerpt(sighting.text)
    created = []
    for finding in recordable(findings):
        incident = Incident(
            workspace=sighting.workspace,
            channel=sighting.channel,
            thread_ts=sighting.thread_ts,
            message_key=sighting.message_key,
            user_id=sighting.user_id,
            source=sighting.source,
            service=(finding.entry.service if finding.entry else finding.service) or "",
            code=finding.code,
            variant=finding.entry.variant if finding.entry else None,
            known=finding.known,
            how=finding.how,
            confidence=round(finding.score, 4),
            request_id=finding.request_id,
            excerpt=text,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(incident)
        except IntegrityError:
            continue
        created.append(incident)
    return created


def code_activity(
    session: Session, incident: Incident, policy: EscalationPolicy, who_acts: WhoActs, now: datetime
) -> CodeActivity:
    """Count one code's recent incidents and channels, but only as far as the policy needs.

    The policy asks "at least N?" and "at least K channels?". The count stops at N (LIMIT in a
    subquery), and channels are counted only while the count is below N: a code at N already
    escalates by count, and below N there are fewer than N rows to look at. So a code seen
    20,000 times today costs what one seen 5 times does.
    """
    recent = (
        Incident.workspace == incident.workspace,
        Incident.service == incident.service,
        Incident.code == incident.code,
        Incident.created_at >= now - policy.window,
    )
    enough = max(policy.count, policy.support_count)
    rows = select(Incident.id).where(*recent).limit(enough).subquery()
    count = int(session.scalar(select(func.count()).select_from(rows)) or 0)
    if count >= policy.count:
        return CodeActivity(count=count, channels=None, who_acts=who_acts)
    channels = select(Incident.channel).where(*recent).distinct().subquery()
    distinct = int(session.scalar(select(func.count()).select_from(channels)) or 0)
    return CodeActivity(count=count, channels=distinct, who_acts=who_acts)


def escalate_if_due(
    session: Session,
    incident: Incident,
    policy: EscalationPolicy,
    *,
    backend: str,
    force_reason: str | None = None,
    actor: str | None = None,
    now: datetime | None = None,
) -> Escalation | None:
    """Attach the incident to its code's open ticket; reopen a resolved one (a regression); or open
    one when the policy (or `force_reason`, the "Escalate now" button) says so."""
    if not incident.known or not incident.service:
        return None
    now = now or utcnow()
    _decide_alone(session, incident)
    ticket = _ticket_of(session, incident)
    if ticket is not None and ticket.status == TicketStatus.OPEN:
        return _attach(session, ticket, incident, now)
    if ticket is not None:
        # Resolved, and the code is back: a regression, whatever the counts say.
        reason = force_reason or f"came back after {ticket.ref} was resolved"
        return _reopen_or_attach(session, ticket, incident, policy, actor, now, reason)
    activity = code_activity(session, incident, policy, _who_acts(session, incident), now)
    due = force_reason or policy.reason(activity)
    if due is None:
        return None
    opened = _insert_ticket(session, incident, due, backend, now)
    if opened is not None:
        _event(session, opened, TicketEventAction.OPENED, actor, {"reason": due}, now)
        _outbox(session, opened, "create", now)
        _link_window(session, opened, incident, policy, now)
        return Escalation(opened, EscalationAction.OPENED, due)
    # Another process opened it between our read and our insert.
    ticket = _ticket_of(session, incident)
    assert ticket is not None  # the insert above lost to it
    return _reopen_or_attach(session, ticket, incident, policy, actor, now, due)


def escalation_order(incidents: Sequence[Incident]) -> list[int]:
    """The order to escalate one transaction's incidents in: their indexes, sorted by lock.

    Each escalation holds its code's lock until the commit, so a transaction escalating several
    codes takes several locks; taking them in one order everywhere keeps two messages that name
    the same codes in a different order from deadlocking (PostgreSQL would abort one of them).
    """
    return sorted(range(len(incidents)), key=lambda i: _lock_key(incidents[i]))


def _lock_key(incident: Incident) -> int:
    """The advisory lock of an incident's (workspace, service, code): 64 bits of a hash.

    A collision between two codes only makes them wait for each other now and then.
    """
    name = "\0".join(("hwerror.escalate", incident.workspace, incident.service, incident.code))
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def _decide_alone(session: Session, incident: Incident) -> None:
    """Wait until no other transaction is deciding the escalation of this incident's code.

    The count that follows must be a new statement under READ COMMITTED (the engine's default),
    so that its snapshot is taken after the wait; REPEATABLE READ would keep the old one.
    """
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already made this transaction the only writer
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(incident)})


def _reopen_or_attach(
    session: Session,
    ticket: Ticket,
    incident: Incident,
    policy: EscalationPolicy,
    actor: str | None,
    now: datetime,
    reason: str,
) -> Escalation:
    if ticket.status == TicketStatus.RESOLVED and _reopen(session, ticket, reason, now):
        session.refresh(ticket)
        _event(session, ticket, TicketEventAction.REOPENED, actor, {"reason": reason}, now)
        _outbox(session, ticket, "reopen", now)
        _link_window(session, ticket, incident, policy, now)
        return Escalation(ticket, EscalationAction.REOPENED, reason)
    session.refresh(ticket)
    return _attach(session, ticket, incident, now)


def _ticket_of(session: Session, incident: Incident) -> Ticket | None:
    """The one ticket of the incident's (workspace, service, code), if there is one yet."""
    return session.scalars(
        select(Ticket).where(
            Ticket.workspace == incident.workspace,
            Ticket.service == incident.service,
            Ticket.code == incident.code,
        )
    ).one_or_none()


def _who_acts(session: Session, incident: Incident) -> WhoActs:
    value = session.scalar(
        select(Entry.who_acts).where(
            Entry.service == incident.service,
            Entry.code == incident.code,
            Entry.variant == (incident.variant or 0),
        )
    )
    return WhoActs(value) if value else WhoActs.CALLER


def _insert_ticket(
    session: Session, incident: Incident, reason: str, backend: str, now: datetime
) -> Ticket | None:
    ticket = Ticket(
        workspace=incident.workspace,
        service=incident.service,
        code=incident.code,
        status=TicketStatus.OPEN,
        reason=reason,
        backend=backend,
        opened_at=now,
    )
    try:
        with session.begin_nested():
            session.add(ticket)
    except IntegrityError:
        return None
    return ticket


def _reopen(session: Session, ticket: Ticket, reason: str, now: datetime) -> bool:
    """Reopen a resolved ticket; of several processes trying at once exactly one succeeds."""
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == TicketStatus.RESOLVED)
        .values(
            status=TicketStatus.OPEN,
            reason=reason,
            times_reopened=Ticket.times_reopened + 1,
            resolved_at=None,
            resolved_by=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _attach(session: Session, ticket: Ticket, incident: Incident, now: datetime) -> Escalation:
    _link(session, ticket, incident, now)
    return Escalation(ticket, EscalationAction.ATTACHED)


def _link(session: Session, ticket: Ticket, incident: Incident, now: datetime) -> None:
    incident.ticket_id = ticket.id
    session.flush()


def _link_window(
    session: Session, ticket: Ticket, incident: Incident, policy: EscalationPolicy, now: datetime
) -> None:
    """The incidents that made the case for the ticket belong to it too: its counts start there."""
    _link(session, ticket, incident, now)
    session.execute(
        update(Incident)
        .where(
            Incident.workspace == incident.workspace,
            Incident.service == incident.service,
            Incident.code == incident.code,
            Incident.created_at >= now - policy.window,
            Incident.ticket_id.is_(None),
        )
        .values(ticket_id=ticket.id)
        .execution_options(synchronize_session=False)
    )


def _event(
    session: Session,
    ticket: Ticket,
    action: TicketEventAction,
    actor: str | None,
    detail: dict[str, object],
    now: datetime,
) -> None:
    session.add(TicketEvent(ticket_id=ticket.id, action=action, actor=actor, detail=detail, at=now))


def _outbox(session: Session, ticket: Ticket, action: str, now: datetime) -> None:
    # One key per (ticket, action, round): a retried call can never open a second external
    # ticket, and a reopen after the next resolution gets a fresh key.
    key = f"hwerror-{ticket.id}-{action}-{ticket.times_reopened}"
    enqueue(session, ticket, action, {"reopened": ticket.times_reopened}, key=key, now=now)
