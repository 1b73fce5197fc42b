"""The application service: one method per thing a person can do, whatever the front end.

Slack's listeners, the shell and the CLI parse their input, call one method and render what it
returns; none of them matches, records, votes or escalates on its own. Each method is one unit of
work and commits it (the functions it calls never commit). A pasted message is kept before it is
acknowledged (`keep`) and answered in one transaction with its claims, the reply it owes and its
incidents (`answer`). Problems the person should hear about are raised as `UserError`s, answered
by each front end in one place.

Who may do what is decided here, from the `Actor` the front end hands in (the checks are in
bot.core.permissions): every read and write is scoped to the actor's workspace; people from
outside it get the public card (bot.core.shown). Every text that reaches a card, a record or a
ticket is redacted first (bot.core.redaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.actor import Actor
from bot.core.cards import RemedyCard
from bot.core.channels import (
    ChannelHints,
)
from bot.core.digest.config import DigestSettings
from bot.core.errors import BadRequest, EntryGone
from bot.core.held import Held, HeldSightings, Offline
from bot.core.incidents.desk import Escalated, IncidentDesk
from bot.core.incidents.models import Ticket
from bot.core.incidents.record import Sighting
from bot.core.kept import Kept, keep
from bot.core.ocr.problems import ImageProblem, ImageRefused
from bot.core.ocr.reader import ImageReader, ImageText
from bot.core.outgoing import Outgoing, owe
from bot.core.permissions import (
    may_respond,
    may_see,
    may_teach,
    may_write_notes,
    voter,
)
from bot.core.pipeline import Key, Pipeline, Reply
from bot.core.redaction import redact, without_nul
from bot.core.shown import as_public, only, shown_to
from bot.core.store import MessageRef, claim_codes, record_escalation, record_vote, vote_of
from bot.core.teach import TEXT_MAX, Lesson
from bot.core.team_commands import TeamCommands
from knowledge.store import WHO_ACTS_OVERRIDE, add_entry, add_note, edit_entry, get_entry
from knowledge.types import WhoActs

NOTE_MAX = 1000


@dataclass(frozen=True)
class Escalation:
    """What "Escalate now" did: the card as it stands now, and the ticket it opened or joined."""

    card: RemedyCard
    ticket: Ticket | None
    escalated: tuple[Escalated, ...]  # empty when the code joined a ticket that was already open


@dataclass(frozen=True)
class Vote:
    """A vote cast: the card with its tally, and whether it changed anything (False: the person
    had already voted the same way)."""

    card: RemedyCard
    changed: bool


class BotService(TeamCommands):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        pipeline: Pipeline,
        desk: IncidentDesk,
        digest: DigestSettings,
        images: ImageReader | None = None,
    ) -> None:
        self.sessions = sessions
        self.pipeline = pipeline
        self.desk = desk
        self.digest_settings = digest
        self.held = HeldSightings()
        self.offline = Offline()
        self.images = images  # None: screenshots are not read (ImageProblem.OFF)
        self.channels = ChannelHints(sessions)

    # -- answering ------------------------------------------------------------------------------

    def lookup(
        self, session: Session, text: str, actor: Actor | None = None, *, channel: str | None = None
    ) -> Reply:
        """What a person typed after /hwerror: generous matching. Reads only; see `record`.
        `channel`: where it was typed, whose service decides a code several services have.
        While the database is away the cards come from the catalogue alone (no notes, no counts)."""
        may_see(actor)
        text = without_nul(text)
        hints = self._hints(actor, channel)
        if not self.offline:
            try:
                return shown_to(actor, self.pipeline.lookup(session, text, hints))
            except DBAPIError:
                _rollback(session)
                self.offline.failed()
        return shown_to(actor, self.pipeline.reply(None, self.pipeline.find(text, "lookup", hints)))

    def record_or_hold(
        self,
        session: Session,
        reply: Reply,
        where: Sighting | None,
        actor: Actor | None = None,
        outgoing: Outgoing | None = None,
    ) -> None:
        """`record`, or, while the database is away, hold the sighting to record it later."""
        if not self.offline:
            try:
                self.record(session, reply, where, actor, outgoing)
                return
            except DBAPIError:
                _rollback(session)
                self.offline.failed()
        self.held.hold(Held(reply, where, actor))

    def record_held(self, session: Session, outgoing: Outgoing | None = None) -> int:
        """Record the sightings held while the database was away; returns how many."""
        items = self.held.take()
        for i, held in enumerate(items):
            try:
                self.record(session, held.reply, held.where, held.actor, outgoing)
            except DBAPIError:
                _rollback(session)
                self.held.give_back(items[i:])
                raise
        return len(items)

    def explain(
        self,
        session: Session,
        text: str,
        actor: Actor | None = None,
        *,
        channel: str | None = None,
        clear: str | None = None,
    ) -> Reply:
        """Paste mode on demand (the message shortcut, a paste in the shell). `clear`: the part
        of `text` read clearly off a screenshot (see `read_image`); only its codes are confident."""
        may_see(actor)
        hints = self._hints(actor, channel)
        clear = None if clear is None else without_nul(clear)
        return shown_to(actor, self.pipeline.explain(session, without_nul(text), hints, clear))

    def _hints(self, actor: Actor | None, channel: str | None) -> tuple[str, ...]:
        """The services the channel suggests (its default, then those seen there lately)."""
        return self.channels.hints(actor.workspace if actor is not None else None, channel)

    def read_image(self, data: bytes) -> ImageText:
        """The text on a screenshot (OCR in the reader's pool); raises ImageRefused with why not.
        Nothing of the image is kept: only the text goes on, through `explain` or `claim`."""
        if self.images is None:
            raise ImageRefused(ImageProblem.OFF)
        return self.images.read(data)

    def keep(self, session: Session, kept: Kept) -> bool:
        """Store a request before it is acknowledged; False: it was kept already (a redelivery).
        A database error is the caller's signal not to acknowledge."""
        return keep(session, kept)

    def answer(
        self,
        session: Session,
        text: str,
        ref: MessageRef,
        where: Sighting,
        outgoing: Outgoing,
        actor: Actor | None = None,
        *,
        public: bool = False,
        clear: str | None = None,
        settle: Callable[[Session], bool] = lambda _: True,
    ) -> Reply | None:
        """A kept message, answered in one transaction: its claims, the reply it owes, its gaps,
        incidents and escalation notices, and `settle` (the kept item marked done under its lease).
        If any of it fails, or `settle` says the lease was lost, nothing of it stays: the claims
        are given back with the rest, so a redelivery or another worker can answer. `clear`: as
        for `explain`, when the text was read off a screenshot."""
        if actor is not None and actor.sees_nothing:
            return None
        clear = None if clear is None else without_nul(clear)
        findings = self.pipeline.find(without_nul(text), "paste", self._hints(actor, ref.channel), clear)
        reply = None
        try:
            # Cards are read (and their cache's reads committed) before the first write: from the
            # claims on, everything below is one transaction.
            draft = self.pipeline.reply(session, findings) if findings else None
            won = set(claim_codes(session, ref, [f.code for f in findings])) if findings else set()
            if draft is not None and won:
                reply = as_public(only(draft, won)) if public else shown_to(actor, only(draft, won))
                reply = replace(reply, from_image=clear is not None)
                owe(session, outgoing.reply(reply, ref))
                for escalated in self._record(session, reply, where, actor):
                    owe(session, outgoing.escalated(escalated))
            if not settle(session):
                session.rollback()
                return None
            session.commit()
        except BaseException:
            session.rollback()
            raise
        self.desk.committed()
        return reply

    def record(
        self,
        session: Session,
        reply: Reply,
        where: Sighting | None,
        actor: Actor | None = None,
        outgoing: Outgoing | None = None,
    ) -> list[Escalated]:
        """After the person has their answer: knowledge gaps, incidents and escalations (whose
        notices, with `outgoing`, are owed in the same transaction).
        Nothing is recorded for people from outside the workspace."""
        escalated = self._record(session, reply, where, actor)
        if outgoing is not None:
            for e in escalated:
                owe(session, outgoing.escalated(e))
        session.commit()
        self.desk.committed()
        return escalated

    def _record(
        self, session: Session, reply: Reply, where: Sighting | None, actor: Actor | None
    ) -> list[Escalated]:
        if actor is not None and actor.external:
            return []
        if where is not None and actor is not None and actor.workspace is not None:
            where = replace(where, workspace=actor.workspace)
        self.pipeline.remember(session, reply)
        escalated = self.desk.record(session, where, reply.findings) if where and reply.findings else []
        if where is not None and reply.findings:
            self.channels.forget(where.workspace, where.channel)  # its services seen lately changed
        return escalated

    # -- a card's buttons -------------------------------------------------------------------------

    def card(
        self, session: Session, key: Key, actor: Actor | None = None, *, with_tally: bool = True
    ) -> RemedyCard:
        """One entry's card (Post, a pick, after a vote or a note), as this actor may see it."""
        may_see(actor)
        card = self.pipeline.card(session, key, with_tally=with_tally)
        session.commit()
        if card is None:
            raise EntryGone()
        return card.as_public() if actor is not None and actor.external else card

    def vote(self, session: Session, key: Key, actor: Actor, *, helpful: bool) -> RemedyCard:
        """One vote per person and card; voting again changes it. Returns the card with its tally."""
        return self.cast_vote(session, key, actor, helpful=helpful).card

    def cast_vote(self, session: Session, key: Key, actor: Actor, *, helpful: bool) -> Vote:
        """`vote`, saying whether it changed anything (the shell tells a repeat vote apart)."""
        card = self.card(session, key, actor, with_tally=False)
        if card.entry_id is None or not actor.user_id:
            raise EntryGone(card.code)
        # A vote is per person: the same user id in two workspaces is two people.
        who = voter(actor)
        before = vote_of(session, card.entry_id, who)
        counted = record_vote(session, card.entry_id, who, helpful)
        session.commit()
        return Vote(replace(card, tally=counted), changed=before is not helpful)

    def note_form(self, session: Session, key: Key, actor: Actor) -> RemedyCard:
        """ "Add team note" pressed: the card the note is for, if this person may write one."""
        may_write_notes(actor)
        return self.card(session, key, actor, with_tally=False)

    def add_note(self, session: Session, key: Key, actor: Actor, text: str) -> RemedyCard:
        may_write_notes(actor)
        text = redact(text).strip()
        if not text:
            raise BadRequest("Write the note first.")
        entry = get_entry(session, *key)
        if entry is None:
            raise EntryGone()
        add_note(session, entry, text[:NOTE_MAX], author=actor.label)
        session.commit()
        self.pipeline.note_added()
        return self.card(session, key, actor)

    def teach(self, session: Session, actor: Actor, lesson: Lesson) -> RemedyCard:
        """Add a code the knowledge base lacks ("Add to knowledge base", `/teach`, `kb add`)."""
        may_teach(actor)
        problems = lesson.problems()
        if problems:
            raise BadRequest(" ".join(problems.values()))
        entry = add_entry(session, lesson.entry_data(), actor.label)
        key = (entry.service, entry.code, entry.variant)
        session.commit()
        self.pipeline.note_added()
        return self.card(session, key)

    def teach_form(self, session: Session, actor: Actor, key: Key | None = None) -> RemedyCard | None:
        """ "Add to knowledge base" (no key) or "Edit handling" (the entry's card) pressed:
        refused at once to whoever may not save it."""
        may_teach(actor)
        return None if key is None else self.card(session, key, actor, with_tally=False)

    def edit_handling(self, session: Session, key: Key, actor: Actor, handling: str) -> RemedyCard:
        """An admin's better handling text for a known entry; the change is audited."""
        return self.edit(session, key, actor, handling=handling)

    def edit(
        self,
        session: Session,
        key: Key,
        actor: Actor,
        *,
        handling: str | None = None,
        who_acts: WhoActs | None | str = "keep",
    ) -> RemedyCard:
        """An admin's change to a known entry: its handling text, who acts (a WhoActs, or None to
        read it from the handling again; "keep" leaves it). Audited."""
        may_teach(actor)
        fields: dict[str, str | None] = {}
        if handling is not None:
            handling = handling.strip()
            if not handling:
                raise BadRequest("Write the handling text first.")
            fields["handling"] = handling[:TEXT_MAX]
        if who_acts is None or isinstance(who_acts, WhoActs):
            fields[WHO_ACTS_OVERRIDE] = who_acts.value if who_acts is not None else None
        if not fields:
            raise BadRequest("Say what to change: the handling text or who acts.")
        entry = get_entry(session, *key)
        if entry is None:
            raise EntryGone()
        edit_entry(session, entry, actor.label, **fields)
        session.commit()
        self.pipeline.note_added()
        return self.card(session, key)

    def escalate(
        self, session: Session, key: Key, actor: Actor, where: Sighting, outgoing: Outgoing | None = None
    ) -> Escalation:
        """Escalate now: the request is kept with who asked, and the code gets its ticket at once
        (its notices, with `outgoing`, owed in the same transaction)."""
        may_respond(actor, "escalate")
        if actor.workspace is not None:
            where = replace(where, workspace=actor.workspace)
        card = self.card(session, key, actor, with_tally=False)
        record_escalation(
            session,
            entry_id=card.entry_id,
            service=card.service,
            code=card.code,
            requested_by=actor.label,
            channel_id=where.channel or None,
            message_ts=where.message_ts,
        )
        ticket, escalated = self.desk.escalate_now(session, where, card.entry, actor.label)
        if outgoing is not None:
            for e in escalated:
                owe(session, outgoing.escalated(e))
        session.commit()
        self.desk.committed()
        return Escalation(card=self.card(session, key, actor), ticket=ticket, escalated=tuple(escalated))


def _rollback(session: Session) -> None:
    try:
        session.rollback()
    except DBAPIError:
        session.invalidate()
