"""The shell adapter (like Hubot's shell): the bot's service, in a terminal.

Type `/hwerror …` as in Slack, or paste an error and end it with an empty line. Every line goes to
the same service method the Slack listener calls, and its result is rendered with Rich; `/helpful`,
`/unhelpful`, `/escalate` and `/note` act on the cards shown last, as the buttons do in Slack.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot.core.actor import Actor
from bot.core.cards import RemedyCard
from bot.core.errors import UserError
from bot.core.incidents.desk import Escalated
from bot.core.incidents.enums import Source
from bot.core.incidents.record import Sighting
from bot.core.pipeline import Reply
from bot.core.service import BotService
from bot.core.teach import Lesson, who_acts_of
from bot.core.team import HELP_WORDS, parse
from bot.shell.render import any_panel, card_panel
from bot.shell.render_team import escalated_line, team_renderable

HELP = """\
[bold]/hwerror QUERY[/bold]   look up a code or an error message (lookup mode)
[bold]/hwerror stats [CODE] | digest [WEEK] | tickets | resolve HW-N[/bold]   as in Slack
[bold]/hwerror channel [service NAME|none][/bold]   this channel's default service (shown, set, cleared)
[bold]paste[/bold]            any error text, then an empty line (paste mode, as in a channel)
[bold]/helpful [N][/bold]     mark card N of the last answer helpful (default 1); [bold]/unhelpful [N][/bold]
[bold]/escalate [N][/bold]    open a ticket for card N's code now (or join the open one)
[bold]/note [N] [TEXT][/bold] add a team note to card N (without TEXT you are asked for it)
[bold]/teach CODE SERVICE | message | handling [| doc link] [| who acts][/bold]   add a code the
                 knowledge base lacks (who acts: caller, huawei_support, account_billing)
[bold]/image PATH[/bold]      read a screenshot of an error and answer it (paste mode, read strictly)
[bold]exit[/bold], [bold]quit[/bold]       leave (or Ctrl-D); Ctrl-C cancels the line or paste being typed"""

CHANNEL = "shell"  # the shell's one channel: its incidents, and its default service
QUIT_WORDS = frozenset({"/quit", "/exit", "/q", "exit", "quit"})
# The first line of `curl -i` (or `curl -v`'s "< HTTP/1.1 …"): the empty line after the headers
# separates them from the body, so it does not end the paste.
_HTTP_STATUS_LINE = re.compile(r"^\s*<?\s*HTTP/\d(?:\.\d)?\s+\d{3}\b")

Read = Callable[[str], str]


class Shell:
    def __init__(self, service: BotService, *, console: Console, read: Read, user: str) -> None:
        self.service = service
        self.console = console
        self.read = read
        self.actor = Actor.shell(user)
        self.last: Reply | None = None

    def run(self) -> None:
        self.console.print(
            "hwerror shell: [bold]/hwerror CODE[/bold], or paste an error and an empty line. "
            "[bold]/help[/bold] for more.",
            highlight=False,
        )
        while True:
            try:
                line = self.read("hwerror> ")
                if not self.handle(line):
                    return
            except EOFError:
                self.console.print()
                return
            except KeyboardInterrupt:  # like a shell: Ctrl-C drops what is being typed, not the shell
                self.console.print()
                self.say("(cancelled)")

    def handle(self, line: str) -> bool:
        """One line of input; False means the user asked to leave."""
        stripped = line.strip()
        if not stripped:
            return True
        word, _, rest = stripped.partition(" ")
        word = word.lower()
        if word in QUIT_WORDS and not rest.strip():
            return False
        try:
            self._dispatch(word, rest, line)
        except UserError as exc:  # the one place the core's polite errors are answered
            self.say(str(exc))
        return True

    def _dispatch(self, word: str, rest: str, line: str) -> None:
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
        elif word == "/teach":
            self.teach(rest)
        elif word == "/image":
            self.image(rest.strip())
        elif word.startswith("/"):
            self.say(f"unknown command {word}: try /help")
        else:
            self.paste([line])

    def say(self, text: str) -> None:
        self.console.print(escape(text), highlight=False)

    def sighting(self, text: str, source: Source = Source.SHELL) -> Sighting:
        """The shell has one channel, `shell`, and no messages of its own: each line is one."""
        return Sighting(
            workspace="shell",
            channel=CHANNEL,
            message_key=f"shell:{uuid.uuid4().hex}",
            source=source,
            text=text,
            user_id=self.actor.user_id,
        )

    # -- the two modes ---------------------------------------------------------------------------

    def lookup(self, text: str) -> None:
        if text.lower() in HELP_WORDS:
            self.console.print(HELP, highlight=False)
            return
        command = parse(text, CHANNEL)
        with self.service.sessions() as session:
            if command is not None:
                self.console.print(team_renderable(self.service.team(session, command, self.actor)))
                return
            reply = self.service.lookup(session, text, self.actor, channel=CHANNEL)
            self.show(reply, nothing=f"No Huawei Cloud error code found in {text!r}.")
            self.announce(self.service.record(session, reply, self.sighting(text)))

    def paste(self, lines: list[str]) -> None:
        """A paste ends with an empty line (or the end of input); Ctrl-C drops it. The empty line
        between an HTTP response's headers and its body (`curl -i`) does not end it."""
        in_head = bool(_HTTP_STATUS_LINE.match(lines[0]))
        while True:
            try:
                more = self.read("... ")
            except EOFError:
                break
            if not more.strip():
                if in_head:
                    in_head = False
                    lines.append(more)
                    continue
                break
            lines.append(more)
        text = "\n".join(lines)
        with self.service.sessions() as session:
            reply = self.service.explain(session, text, self.actor, channel=CHANNEL)
            self.show(reply, nothing="No Huawei Cloud error in that text.")
            self.announce(self.service.record(session, reply, self.sighting(text)))

    def image(self, path: str) -> None:
        """`/image PATH`: the screenshot's text, answered as a paste would be, but strictly."""
        if not path:
            self.say("usage: /image PATH")
            return
        try:
            data = Path(path).expanduser().read_bytes()
        except OSError as exc:
            self.say(f"cannot read {path}: {exc.strerror or type(exc).__name__}")
            return
        read = self.service.read_image(data)  # ImageRefused is a UserError: answered in `handle`
        with self.service.sessions() as session:
            reply = self.service.explain(session, read.text, clear=read.clear)
            if not reply.empty:
                self.say("Read from the screenshot:")
            self.show(reply, nothing="No Huawei Cloud error in that screenshot.")
            where = self.sighting(read.text, Source.IMAGE)
            self.announce(self.service.record(session, reply, where))

    def announce(self, escalated: list[Escalated]) -> None:
        for e in escalated:
            self.console.print(escape(escalated_line(e)), style="bold red", highlight=False)

    def show(self, reply: Reply, *, nothing: str) -> None:
        if reply.empty:
            self.say(nothing)
            return
        self.last = reply
        for n, card in enumerate(reply.cards, start=1):
            self.console.print(any_panel(card, n if len(reply.cards) > 1 else None))
        if reply.more:
            self.say("Also found: " + ", ".join(reply.more))
        if any(isinstance(c, RemedyCard) for c in reply.cards):
            self.console.print("[dim]/helpful, /unhelpful, /escalate, /note [N] act on card N[/dim]")

    # -- the buttons -----------------------------------------------------------------------------

    def _card(self, arg: str) -> RemedyCard | None:
        cards = self.last.cards if self.last else ()
        arg = arg.strip() or "1"
        if not cards:
            self.say("no card yet: look something up first (/hwerror CODE, or paste an error)")
            return None
        if not arg.isdigit() or not 1 <= int(arg) <= len(cards):
            count = "1 card" if len(cards) == 1 else f"{len(cards)} cards, 1 to {len(cards)}"
            self.say(f"there is no card {arg}: the last answer has {count}")
            return None
        card = cards[int(arg) - 1]
        if not isinstance(card, RemedyCard):
            self.say(f"{card.code} is not in the knowledge base")
            return None
        return card

    def vote(self, arg: str, *, helpful: bool) -> None:
        card = self._card(arg)
        if card is None:
            return
        with self.service.sessions() as session:
            voted = self.service.cast_vote(session, card.key, self.actor, helpful=helpful)
        t = voted.card.tally
        word = "helpful" if helpful else "not helpful"
        counts = f"({t.helpful} helpful, {t.not_helpful} not helpful)"
        if voted.changed:
            self.say(f"Recorded on {card.code}: {word} {counts}")
        else:
            self.say(f"You had already marked {card.code} {word}; nothing changed {counts}")

    def escalate(self, arg: str) -> None:
        card = self._card(arg)
        if card is None:
            return
        with self.service.sessions() as session:
            done = self.service.escalate(
                session, card.key, self.actor, self.sighting(card.code, Source.BUTTON)
            )
        if done.ticket is None:
            self.say(f"Escalation of {card.code} recorded")
        elif done.escalated:
            self.say(f"Escalated {card.code}: ticket {done.ticket.ref} is open")
        else:
            self.say(
                f"{card.code} already has an open ticket, {done.ticket.ref}; this request was added to it"
            )

    def note(self, arg: str) -> None:
        """`/note` (asks for the text), `/note TEXT` (card 1), `/note N` or `/note N TEXT` (card N).
        A leading number is a card number only when there is such a card: "/note 3 retries help"
        with one card is a note."""
        first, _, after = arg.strip().partition(" ")
        cards = self.last.cards if self.last else ()
        if first.isdigit() and (1 <= int(first) <= len(cards) or not after.strip()):
            number, text = first, after.strip()
        else:
            number, text = "1", arg.strip()
        card = self._card(number)
        if card is None:
            return
        if not text:
            try:
                text = self.read(f"Note for {card.code} (empty line cancels): ").strip()
            except (EOFError, KeyboardInterrupt):
                text = ""
        if not text:
            self.say("no note saved")
            return
        with self.service.sessions() as session:
            self.service.add_note(session, card.key, self.actor, text)
        self.say(f"Team note saved on {card.code} by {self.actor.label}")

    def teach(self, rest: str) -> None:
        """`/teach CODE SERVICE | message | handling [| doc link] [| who acts]`: what "Add to
        knowledge base" does in Slack. Who acts (`caller`, `huawei_support`, `account_billing`)
        is read from the handling when not given."""
        head, _, tail = rest.partition("|")
        parts = [p.strip() for p in tail.split("|")]
        code, _, service = head.strip().partition(" ")
        if not code or not service.strip() or not parts[0]:
            self.say("usage: /teach CODE SERVICE | message | handling [| doc link] [| who acts]")
            return
        doc_url, who = None, None
        for extra in parts[2:]:
            if extra.lower().startswith(("http://", "https://")):
                doc_url = extra
            elif extra:
                who = who_acts_of(extra)
        lesson = Lesson(
            service=service.strip(),
            code=code,
            message=parts[0],
            handling=parts[1] if len(parts) > 1 else "",
            doc_url=doc_url,
            who_acts=who,
        )
        with self.service.sessions() as session:
            card = self.service.teach(session, self.actor, lesson)
        self.console.print(card_panel(card))
        self.say(f"{card.code} added to {card.service} by {self.actor.label}")
