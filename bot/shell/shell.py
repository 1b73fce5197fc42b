"""The shell adapter (like Hubot's shell): the Slack bot's pipeline, in a terminal.

Type `/hwerror …` as in Slack, or paste an error and end it with an empty line. The answer is
the same reply the Slack app builds, rendered with Rich; `/helpful`, `/unhelpful`, `/escalate`
and `/note` act on the cards shown last, as the buttons do in Slack, with the same records.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.core.cards import RemedyCard
from bot.core.digest.config import DigestSettings
from bot.core.incidents.config import EscalationSettings, TicketSettings
from bot.core.incidents.desk import IncidentDesk
from bot.core.incidents.record import Sighting
from bot.core.incidents.seen import SeenCounts
from bot.core.incidents.tickets import TicketNotFound
from bot.core.pipeline import Pipeline, Reply
from bot.core.store import record_escalation, record_vote
from bot.shell.render import any_panel, blocks_panel
from bot.slack.blocks.card import HELP_WORDS
from bot.slack.listeners.commands.team import subcommand
from bot.slack.middleware import Actor
from knowledge.catalogue import Catalogue
from knowledge.db import session_factory
from knowledge.store import add_note, get_entry

HELP = """\
[bold]/hwerror QUERY[/bold]   look up a code or an error message (lookup mode)
[bold]/hwerror stats [CODE] | digest [WEEK] | tickets | resolve HW-N[/bold]   as in Slack
[bold]paste[/bold]            any error text, then an empty line (paste mode, as in a channel)
[bold]/helpful [N][/bold]     mark card N of the last answer helpful (default 1); [bold]/unhelpful [N][/bold]
[bold]/escalate [N][/bold]    open a ticket for card N's code now (or join the open one)
[bold]/note [N][/bold]        add a team note to card N (you are asked for the text)
[bold]/quit[/bold]            leave (or end of input)"""

Read = Callable[[str], str]


class Shell:
    def __init__(self, engine: Engine, *, console: Console, read: Read, user: str) -> None:
        self.console = console
        self.read = read
        self.user = user
        self.sessions = session_factory(engine)
        seen = SeenCounts(self.sessions, ttl=0)
        self.pipeline = Pipeline(Catalogue(engine).matcher, seen=seen)
        self.desk = IncidentDesk(EscalationSettings(), TicketSettings(), seen)
        self.last: Reply | None = None

    @property
    def user_id(self) -> str:
        return f"shell:{self.user}"

    @property
    def author(self) -> str:
        return f"{self.user} (shell)"[:100]

    def run(self) -> None:
        self.console.print("hwerror shell: [bold]/hwerror CODE[/bold], or paste an error and an empty line. "
                           "[bold]/help[/bold] for more.", highlight=False)
        while True:
            try:
                line = self.read("hwerror> ")
            except (EOFError, KeyboardInterrupt):
                self.console.print()
                return
            if not self.handle(line):
                return

    def handle(self, line: str) -> bool:
        """One line of input; False means the user asked to leave."""
        stripped = line.strip()
        if not stripped:
            return True
        word, _, rest = stripped.partition(" ")
        word = word.lower()
        if word in ("/quit", "/exit", "/q"):
            return False
        if word == "/help":
            self.console.print(HELP, highlight=False)
        elif word == "/hwerror":
            self.lookup(rest.strip())
        elif word in ("/helpful", "/unhelpful"):
            self.vote(rest, helpful=word == "/helpful")
        elif word == "/escalate":
            self.escalate(rest)
        elif word == "/note":
            self.note(rest)
        elif word.startswith("/"):
            self.console.print(f"unknown command {escape(word)}: try /help", highlight=False)
        else:
            self.paste([line])
        return True

    # -- the two modes ---------------------------------------------------------------------------

    def lookup(self, text: str) -> None:
        if text.lower() in HELP_WORDS:
            self.console.print(HELP, highlight=False)
            return
        sub = subcommand(text)
        if sub is not None:
            handler, arg = sub
            actor = Actor(user_id=self.user_id, team_id="shell", name=self.author)
            with self.sessions() as session:
                try:
                    message = handler(arg, session, self.desk, actor, DigestSettings())
                except (TicketNotFound, ValueError) as exc:
                    self.console.print(escape(str(exc)), highlight=False)
                    return
            self.console.print(blocks_panel(message.blocks))
            return
        with self.sessions() as session:
            reply = self.pipeline.lookup(session, text)
            self.show(reply, nothing=f"No Huawei Cloud error code found in {text!r}.")
            self.pipeline.remember(session, reply)
            self.record(session, reply, text)

    def paste(self, lines: list[str]) -> None:
        while True:  # a paste ends with an empty line (or the end of input)
            try:
                more = self.read("... ")
            except EOFError:
                break
            if not more.strip():
                break
            lines.append(more)
        with self.sessions() as session:
            reply = self.pipeline.explain(session, "\n".join(lines))
            self.show(reply, nothing="No Huawei Cloud error in that text.")
            self.pipeline.remember(session, reply)
            self.record(session, reply, "\n".join(lines))

    def sighting(self, text: str, source: str = "shell") -> Sighting:
        return Sighting(workspace="shell", channel="shell", message_key=f"shell:{uuid.uuid4().hex}",
                          source=source, text=text, user_id=self.user_id)

    def record(self, session: Session, reply: Reply, text: str) -> None:
        """Incidents and escalations, as in a channel; escalations are announced here."""
        for a in self.desk.record(session, self.sighting(text), reply.findings):
            self.console.print(f"[bold red]escalated:[/bold red] {escape(str(a.escalation_message['text']))}",
                               highlight=False)

    def show(self, reply: Reply, *, nothing: str) -> None:
        if reply.empty:
            self.console.print(escape(nothing), highlight=False)
            return
        self.last = reply
        for n, card in enumerate(reply.cards, start=1):
            self.console.print(any_panel(card, n if len(reply.cards) > 1 else None))
        if reply.more:
            self.console.print("Also found: " + escape(", ".join(reply.more)), highlight=False)
        if any(isinstance(c, RemedyCard) for c in reply.cards):
            self.console.print("[dim]/helpful, /unhelpful, /escalate, /note [N] act on card N[/dim]")

    # -- the buttons -----------------------------------------------------------------------------

    def _card(self, arg: str) -> RemedyCard | None:
        cards = self.last.cards if self.last else ()
        arg = arg.strip() or "1"
        if not arg.isdigit() or not 1 <= int(arg) <= len(cards):
            self.console.print("no such card: look something up first, then use its number", highlight=False)
            return None
        card = cards[int(arg) - 1]
        if not isinstance(card, RemedyCard):
            self.console.print(f"{escape(card.code)} is not in the knowledge base", highlight=False)
            return None
        return card

    def vote(self, arg: str, *, helpful: bool) -> None:
        card = self._card(arg)
        if card is None:
            return
        with self.sessions() as session:
            entry = get_entry(session, *card.key)
            if entry is None:
                self.console.print("that entry is gone from the knowledge base", highlight=False)
                return
            tally = record_vote(session, entry.id, self.user_id, helpful)
        self.console.print(f"Recorded: {'helpful' if helpful else 'not helpful'} "
                           f"({tally.helpful} helpful, {tally.not_helpful} not helpful)", highlight=False)

    def escalate(self, arg: str) -> None:
        card = self._card(arg)
        if card is None:
            return
        with self.sessions() as session:
            entry = get_entry(session, *card.key)
            record_escalation(
                session, entry_id=entry.id if entry else None, service=card.service, code=card.code,
                requested_by=self.author, channel_id=None, message_ts=None,
            )
            sighting = self.sighting(card.code, "button")
            ticket, _ = self.desk.escalate_now(session, sighting, card.entry_data(), self.author)
        where = f": ticket {ticket.ref} is open" if ticket else ""
        self.console.print(f"Escalated {escape(card.code)}{where}", highlight=False)

    def note(self, arg: str) -> None:
        card = self._card(arg)
        if card is None:
            return
        try:
            text = self.read(f"Note for {card.code} (empty line cancels): ").strip()
        except EOFError:
            text = ""
        if not text:
            self.console.print("no note saved", highlight=False)
            return
        with self.sessions() as session, session.begin():
            entry = get_entry(session, *card.key)
            if entry is None:
                self.console.print("that entry is gone from the knowledge base", highlight=False)
                return
            add_note(session, entry, text[:1000], author=self.author)
        self.pipeline.note_added()
        saved = f"Team note saved on {escape(card.code)} by {escape(self.author)}"
        self.console.print(saved, highlight=False)
