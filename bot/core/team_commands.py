"""The team's commands (`/hwerror stats|digest|tickets|resolve|channel`, App Home), as part of
the application service: `BotService` is a `TeamCommands`. Each method is one unit of work and
commits it; who may read or change what is bot.core.permissions'."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.channels import (
    CLEAR_WORDS,
    USAGE,
    ChannelHints,
    ChannelSetting,
    known_service,
    set_channel_default,
)
from bot.core.digest.compute import Digest, build_digest
from bot.core.digest.config import DigestSettings
from bot.core.digest.weeks import Week
from bot.core.errors import BadRequest
from bot.core.incidents.desk import IncidentDesk
from bot.core.incidents.enums import TicketStatus
from bot.core.incidents.models import Ticket
from bot.core.incidents.tickets import TicketSummary, count_tickets, parse_ticket_ref, summaries
from bot.core.permissions import may_respond, may_set_channel, team_reader
from bot.core.pipeline import Pipeline
from bot.core.redaction import redact, without_nul
from bot.core.stats import Stats, stats
from bot.core.team import Resolved, TeamCommand, TeamResult, TicketList
from knowledge.clock import utcnow


@dataclass(frozen=True)
class Home:
    digest: Digest
    open_tickets: list[TicketSummary]
    open_total: int = -1  # every open ticket, however many `open_tickets` lists


class TeamCommands:
    # Set by BotService.__init__.
    pipeline: Pipeline
    desk: IncidentDesk
    digest_settings: DigestSettings
    channels: ChannelHints

    def team(self, session: Session, command: TeamCommand, actor: Actor) -> TeamResult:
        arg = without_nul(command.arg)
        if command.name == "stats":
            words = arg.split()
            return self.stats(session, words[0] if words else None, actor)
        if command.name == "digest":
            return self.digest(session, arg, actor)
        if command.name == "tickets":
            return self.ticket_list(session, actor)
        if command.name == "channel":
            return self.channel_service(session, arg, actor, command.channel)
        return Resolved(self.resolve(session, arg, actor))

    def channel_service(
        self, session: Session, arg: str, actor: Actor, channel: str | None
    ) -> ChannelSetting:
        """`channel` (show), `channel service OCR` (set), `channel service none` (clear): the
        default service of the channel the command was typed in. Setting it is an admin's."""
        workspace = team_reader(actor)
        if not channel or not workspace:
            raise BadRequest("A channel's service is set in the channel itself.")
        word, _, name = arg.strip().partition(" ")
        if word.lower() not in ("", "service"):
            raise BadRequest(USAGE)
        name = name.strip()
        if not name:
            self.channels.forget(workspace, channel)
            return self.channels.setting(workspace, channel)
        may_set_channel(actor)
        slug = None if name.lower() in CLEAR_WORDS else known_service(name, self.pipeline.services())
        previous = set_channel_default(session, workspace, channel, slug, actor.label)
        session.commit()
        self.channels.forget(workspace, channel)
        setting = self.channels.setting(workspace, channel)
        return replace(setting, changed=previous != slug, previous=previous)

    def stats(self, session: Session, code: str | None = None, actor: Actor | None = None) -> Stats:
        workspace = team_reader(actor)
        result = stats(session, utcnow(), self.digest_settings.tz, code, workspace=workspace)
        session.commit()
        return result

    def digest(self, session: Session, week: str = "", actor: Actor | None = None) -> Digest:
        """This week so far, or the ISO week named (2026-W47)."""
        workspace = team_reader(actor)
        tz = self.digest_settings.tz
        try:
            chosen = Week.parse(week, tz) if week.strip() else Week.containing(utcnow(), tz)
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
        result = build_digest(session, chosen, workspace=workspace)
        session.commit()
        return result

    def ticket_list(self, session: Session, actor: Actor | None = None) -> TicketList:
        """The newest open tickets and the true number open, in the actor's workspace."""
        workspace = team_reader(actor)
        shown = summaries(session, status=TicketStatus.OPEN, workspace=workspace)
        total = count_tickets(session, status=TicketStatus.OPEN, workspace=workspace)
        session.commit()
        return TicketList(shown, total)

    def home(self, session: Session, actor: Actor | None = None) -> Home | None:
        """The App Home tab's data; None for people from outside the workspace (an empty tab)."""
        if actor is not None and actor.external:
            return None
        tickets = self.ticket_list(session, actor)
        return Home(self.digest(session, actor=actor), tickets.open, tickets.count)

    def resolve(self, session: Session, ticket: str, actor: Actor) -> Ticket:
        """Resolve `HW-12` (or `12`, `#12`); resolving twice changes nothing."""
        may_respond(actor, "resolve")
        ticket_id = parse_ticket_ref(ticket)
        if ticket_id is None:
            raise BadRequest(f"{redact(ticket.strip())[:40]!r} is not a ticket: try /hwerror resolve HW-12.")
        resolved = self.desk.resolve(session, ticket_id, actor.label, workspace=actor.workspace)
        session.commit()
        self.desk.committed()
        return resolved
