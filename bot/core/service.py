"""The application service: one method per thing a person can do, whatever the front end.

Slack's listeners, the shell and the CLI parse their input, call one method and render what it
returns; none of them matches, records, votes or escalates on its own. Each method is one unit of
work and commits it (the functions it calls never commit, but the claims, which are locks).
Problems the person should hear about are raised as `UserError`s, answered by each front end in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session, sessionmaker

from bot.core.actor import Actor
from bot.core.cards import RemedyCard
from bot.core.digest.compute import Digest, build_digest
from bot.core.digest.config import DigestSettings
from bot.core.digest.weeks import Week
from bot.core.errors import BadRequest, EntryGone, NotAllowed
from bot.core.incidents.desk import Escalated, IncidentDesk
from bot.core.incidents.enums import TicketStatus
from bot.core.incidents.models import Ticket
from bot.core.incidents.record import Sighting
from bot.core.incidents.tickets import TicketSummary, parse_ticket_ref, summaries
from bot.core.pipeline import Key, Pipeline, Reply
from bot.core.stats import Stats, stats
from bot.core.store import MessageRef, claim_codes, record_escalation, record_vote, release_codes, tally
from bot.core.teach import TEXT_MAX, Lesson
from bot.core.team import Resolved, TeamCommand, TeamResult, TicketList
from knowledge.clock import utcnow
from knowledge.store import add_entry, add_note, edit_entry, get_entry

NOTE_MAX = 1000


@dataclass(frozen=True)
class Escalation:
    """What "Escalate now" did: the card as it stands now, and the ticket it opened or joined."""

    card: RemedyCard
    ticket: Ticket | None
    escalated: tuple[Escalated, ...]  # empty when the code joined a ticket that was already open


@dataclass(frozen=True)
class Home:
    digest: Digest
    open_tickets: list[TicketSummary]


class BotService:
    def __init__(
        self, sessions: sessionmaker[Session], pipeline: Pipeline, desk: IncidentDesk, digest: DigestSettings
    ) -> None:
        self.sessions = sessions
        self.pipeline = pipeline
        self.desk = desk
        self.digest_settings = digest

    # -- answering ------------------------------------------------------------------------------

    def lookup(self, session: Session, text: str) -> Reply:
        """What a person typed after /hwerror: generous matching. Reads only; see `record`."""
        return self.pipeline.lookup(session, text)

    def explain(self, session: Session, text: str) -> Reply:
        """Paste mode on demand (the message shortcut, a paste in the shell)."""
        return self.pipeline.explain(session, text)

    def claim(self, session: Session, text: str, ref: MessageRef) -> Reply | None:
        """A message in a channel: the codes nobody answered for it yet, claimed for this caller."""
        findings = self.pipeline.find(text, "paste")
        if not findings:
            return None
        won = set(claim_codes(session, ref, [f.code for f in findings]))
        return self.pipeline.reply(session, [f for f in findings if f.code in won]) if won else None

    def release(self, session: Session, ref: MessageRef, reply: Reply) -> None:
        """The reply could not be delivered: give its claims back, so a retry can answer."""
        release_codes(session, ref, [c.code for c in reply.cards] + list(reply.more))

    def record(self, session: Session, reply: Reply, where: Sighting | None) -> list[Escalated]:
        """After the person has their answer: knowledge gaps, incidents and escalations."""
        self.pipeline.remember(session, reply)
        escalated = self.desk.record(session, where, reply.findings) if where and reply.findings else []
        session.commit()
        self.desk.committed()
        return escalated

    # -- a card's buttons -------------------------------------------------------------------------

    def card(self, session: Session, key: Key, *, with_tally: bool = True) -> RemedyCard:
        card = self.pipeline.card(session, key, with_tally=with_tally)
        session.commit()
        if card is None:
            raise EntryGone()
        return card

    def vote(self, session: Session, key: Key, actor: Actor, *, helpful: bool) -> RemedyCard:
        """One vote per person and card; voting again changes it. Returns the card with its tally."""
        card = self.card(session, key, with_tally=False)
        if card.entry_id is None or not actor.user_id:
            raise EntryGone(card.code)
        record_vote(session, card.entry_id, actor.user_id, helpful)
        session.commit()
        return replace(card, tally=tally(session, card.entry_id))

    def add_note(self, session: Session, key: Key, actor: Actor, text: str) -> RemedyCard:
        if not actor.may_add_notes:
            raise NotAllowed("Only the people listed in HWERROR_ADMINS can save team notes.")
        text = text.strip()
        if not text:
            raise BadRequest("Write the note first.")
        entry = get_entry(session, *key)
        if entry is None:
            raise EntryGone()
        add_note(session, entry, text[:NOTE_MAX], author=actor.label)
        session.commit()
        self.pipeline.note_added()
        return self.card(session, key)

    def teach(self, session: Session, actor: Actor, lesson: Lesson) -> RemedyCard:
        """Add a code the knowledge base lacks ("Add to knowledge base", `/teach`, `kb add`)."""
        if not actor.may_add_notes:
            raise NotAllowed("Only the people listed in HWERROR_ADMINS can add to the knowledge base.")
        problems = lesson.problems()
        if problems:
            raise BadRequest(" ".join(problems.values()))
        entry = add_entry(session, lesson.entry_data(), actor.label)
        key = (entry.service, entry.code, entry.variant)
        session.commit()
        self.pipeline.note_added()
        return self.card(session, key)

    def edit_handling(self, session: Session, key: Key, actor: Actor, handling: str) -> RemedyCard:
        """An admin's better handling text for a known entry; the change is audited."""
        if not actor.may_add_notes:
            raise NotAllowed("Only the people listed in HWERROR_ADMINS can edit the knowledge base.")
        handling = handling.strip()
        if not handling:
            raise BadRequest("Write the handling text first.")
        entry = get_entry(session, *key)
        if entry is None:
            raise EntryGone()
        edit_entry(session, entry, actor.label, handling=handling[:TEXT_MAX])
        session.commit()
        self.pipeline.note_added()
        return self.card(session, key)

    def escalate(self, session: Session, key: Key, actor: Actor, where: Sighting) -> Escalation:
        """Escalate now: the request is kept with who asked, and the code gets its ticket at once."""
        card = self.card(session, key, with_tally=False)
        record_escalation(
            session,
            entry_id=card.entry_id,
            service=card.service,
            code=card.code,
            requested_by=actor.label,
            channel_id=where.channel or None,
            message_ts=where.message_ts,
        )
        ticket, escalated = self.desk.escalate_now(session, where, card.entry_data(), actor.label)
        session.commit()
        self.desk.committed()
        return Escalation(card=self.card(session, key), ticket=ticket, escalated=tuple(escalated))

    # -- the team's commands ----------------------------------------------------------------------

    def team(self, session: Session, command: TeamCommand, actor: Actor) -> TeamResult:
        if command.name == "stats":
            words = command.arg.split()
            return self.stats(session, words[0] if words else None)
        if command.name == "digest":
            return self.digest(session, command.arg)
        if command.name == "tickets":
            return TicketList(self.open_tickets(session))
        return Resolved(self.resolve(session, command.arg, actor))

    def stats(self, session: Session, code: str | None = None) -> Stats:
        result = stats(session, utcnow(), self.digest_settings.tz, code)
        session.commit()
        return result

    def digest(self, session: Session, week: str = "") -> Digest:
        """This week so far, or the ISO week named (2026-W47)."""
        tz = self.digest_settings.tz
        try:
            chosen = Week.parse(week, tz) if week.strip() else Week.containing(utcnow(), tz)
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
        result = build_digest(session, chosen)
        session.commit()
        return result

    def open_tickets(self, session: Session) -> list[TicketSummary]:
        result = summaries(session, status=TicketStatus.OPEN)
        session.commit()
        return result

    def home(self, session: Session) -> Home:
        return Home(self.digest(session), self.open_tickets(session))

    def resolve(self, session: Session, ticket: str, actor: Actor) -> Ticket:
        """Resolve `HW-12` (or `12`, `#12`); resolving twice changes nothing."""
        ticket_id = parse_ticket_ref(ticket)
        if ticket_id is None:
            raise BadRequest(f"{ticket.strip()!r} is not a ticket: try /hwerror resolve HW-12.")
        resolved = self.desk.resolve(session, ticket_id, actor.label)
        session.commit()
        self.desk.committed()
        return resolved
