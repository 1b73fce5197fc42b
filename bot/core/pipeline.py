"""The one path every front end takes: text → extract → match → findings → cards.

The application service (bot.core.service) drives it for every front end: lookups (the slash
command), pastes (channel messages, the shortcut, the shell). It finds, and builds the cards; what
happens to a reply afterwards (claims, incidents, escalation) is the service's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from sqlalchemy.orm import Session

from bot import metrics
from bot.core.card_cache import CardCache, Key
from bot.core.cards import Card, Choice, ChoiceCard, RemedyCard, UnknownCard
from bot.core.gaps import GapRecorder
from bot.core.incidents.seen import SeenCounts
from bot.core.redaction import redact_optional
from bot.core.store import record_gap, tally
from knowledge.matching.findings import Finding
from knowledge.matching.matcher import Matcher
from knowledge.matching.unclear import read_clearly
from knowledge.types import EntryData

Mode = Literal["lookup", "paste"]

MAX_CARDS = 5  # cards in one reply; further codes are listed by name
# Codes taken from one text: a paste naming 3,000 made-up codes must not write 3,000 incidents,
# claims and gaps. The rest are only counted in the reply.
MAX_CODES = 50
MEMO_TEXT = 200  # texts up to this long have their findings remembered
MEMO_SIZE = 4096


@dataclass(frozen=True)
class Reply:
    cards: tuple[Card, ...]
    more: tuple[str, ...] = ()  # codes found beyond the cards shown
    gaps: tuple[str, ...] = ()  # codes the knowledge base lacks, shown or not
    findings: tuple[Finding, ...] = ()  # everything found, shown or not: what the incident desk records
    skipped: int = 0  # distinct codes beyond MAX_CODES: neither shown, listed nor recorded
    from_image: bool = False  # the text was read off a screenshot: the answer says so

    @property
    def empty(self) -> bool:
        return not self.cards


class Pipeline:
    def __init__(
        self,
        matcher: Callable[[], Matcher],
        cache: CardCache | None = None,
        gaps: GapRecorder | None = None,
        seen: SeenCounts | None = None,
    ) -> None:
        self._matcher = matcher
        self.cache = cache or CardCache()
        self._seen = seen  # None: cards say nothing of how often a code was seen
        self._gaps = gaps  # None: gaps are written at once, in the caller's session
        self._memo: dict[tuple[str, str, tuple[str, ...]], tuple[Finding, ...]] = {}
        self._memo_matcher: Matcher | None = None

    # -- the front ends' entry points ------------------------------------------------------------

    def lookup(self, session: Session, text: str, hints: tuple[str, ...] = ()) -> Reply:
        """What a person typed after /hwerror: generous matching. Reads only; see `remember`.
        `hints`: the services the channel suggests, best first (bot.core.channels)."""
        return self.reply(session, self.find(text, "lookup", hints))

    def explain(
        self, session: Session, text: str, hints: tuple[str, ...] = (), clear: str | None = None
    ) -> Reply:
        """Paste mode: what a message carries, found conservatively. `clear`: see `find`."""
        return self.reply(session, self.find(text, "paste", hints, clear))

    def services(self) -> list[str]:
        """The knowledge base's services (slugs)."""
        return list(self._matcher().services)

    def remember(self, session: Session, reply: Reply) -> None:
        """The writes that may wait until the person has their answer: knowledge gaps."""
        if self._gaps is not None:
            self._gaps.add(reply.gaps)
            return
        for code in reply.gaps:
            record_gap(session, code)

    def card(self, session: Session, key: Key, *, with_tally: bool = True) -> RemedyCard | None:
        """The card of one entry (buttons: post, pick, vote, after a note), with its tally."""
        card = self.cache.cards(session, [key]).get(key)
        if card is None:
            return None
        card = replace(card, variants=code_variants(card.code, self._matcher()))
        if not with_tally or card.entry_id is None:
            return card
        return replace(card, tally=tally(session, card.entry_id))

    def note_added(self) -> None:
        """A team note was saved by this process: show it on the next card at once."""
        self.cache.invalidate()

    # -- steps -----------------------------------------------------------------------------------

    def find(
        self, text: str, mode: Mode, hints: tuple[str, ...] = (), clear: str | None = None
    ) -> list[Finding]:
        """One finding per distinct code, in the order the text mentions them.

        Short texts (what people type after /hwerror: the same few codes again and again) are
        remembered for as long as the matcher stays the same; pastes are matched every time.
        `clear` is given for text read off an image (bot.core.ocr): the part read clearly. Only
        codes found in it stay confident (knowledge.matching.unclear).
        """
        if clear is not None:
            return read_clearly(self.find(text, mode, hints), self.find(clear, mode, hints))
        matcher = self._matcher()
        memo = len(text) <= MEMO_TEXT
        if memo:
            if matcher is not self._memo_matcher:
                self._memo, self._memo_matcher = {}, matcher
            hit = self._memo.get((mode, text, hints))
            if hit is not None:
                return list(hit)
        seen: set[str] = set()
        out = []
        started = time.perf_counter()
        found = matcher.match(text, mode, hints)
        metrics.observe_match(time.perf_counter() - started)
        for f in found:
            if f.code not in seen:
                seen.add(f.code)
                out.append(_redacted(f))
        if memo:
            if len(self._memo) >= MEMO_SIZE:
                self._memo = {}
            self._memo[(mode, text, hints)] = tuple(out)
        return out

    def reply(self, session: Session | None, findings: Sequence[Finding]) -> Reply:
        """The cards for these findings: the first MAX_CARDS, the rest (up to MAX_CODES) by code.
        Without a session (the database is away) the cards are the catalogue's alone."""
        skipped = max(0, len(findings) - MAX_CODES)
        findings = findings[:MAX_CODES]
        shown, rest = findings[:MAX_CARDS], findings[MAX_CARDS:]
        keys = [f.entry.key for f in shown if f.entry is not None]
        cards = self.cache.cards(session, keys) if session is not None else {}
        matcher = self._matcher()
        built = tuple(
            self._with_seen(_card(f, cards, matcher), session)
            if session is not None
            else _card(f, cards, matcher)
            for f in shown
        )
        return Reply(
            cards=built,
            more=tuple(f.code for f in rest),
            gaps=tuple(f.code for f in findings if not f.known),
            findings=tuple(findings),
            skipped=skipped,
        )

    def _with_seen(self, card: Card, session: Session) -> Card:
        if self._seen is None or not isinstance(card, RemedyCard):
            return card
        seen, ticket = self._seen.get(card.service, card.code, session)
        return replace(card, seen_7d=seen, ticket=ticket)


def _redacted(finding: Finding) -> Finding:
    """A pasted message or request id is the paste's own text: it can hold a credential (an
    unknown code's message quoting a token, an access key as request id). Cards, incidents and
    tickets only ever see it redacted."""
    message, request_id = redact_optional(finding.message), redact_optional(finding.request_id)
    if message == finding.message and request_id == finding.request_id:
        return finding
    return replace(finding, message=message, request_id=request_id)


def matcher_services(finding: Finding, matcher: Matcher) -> list[EntryData]:
    """One entry per service a code is in (its first variant), for an open service."""
    seen: dict[str, EntryData] = {}
    for i in matcher.by_code.get(finding.code, []):
        e = matcher.entries[i]
        seen.setdefault(e.service, e)
    return list(seen.values())


def _card(finding: Finding, cards: dict[Key, RemedyCard], matcher: Matcher) -> Card:
    if not finding.known:
        return UnknownCard(
            code=finding.code,
            message=finding.message,
            status=finding.status,
            candidates=tuple(Choice.from_data(c) for c in finding.candidates),
        )
    if finding.entry is None:
        choices = tuple(Choice.from_data(c) for c in finding.candidates)
        return ChoiceCard(code=finding.code, candidates=choices)
    # A row removed since the matcher was built: the card shows what the matcher knows.
    card = cards.get(finding.entry.key) or RemedyCard(finding.entry)
    alternatives = _alternatives(finding.entry, finding.candidates) if not finding.confident else ()
    if finding.services:
        alternatives = _alternatives(finding.entry, matcher_services(finding, matcher))
    return replace(
        card,
        confident=finding.confident,
        alternatives=alternatives,
        request_id=finding.request_id,
        open_services=finding.services,
        variants=code_variants(finding.code, matcher),
    )


def code_variants(code: str, matcher: Matcher) -> tuple[Choice, ...]:
    """Every entry of one code, by service and variant, when there are several (none otherwise):
    the matcher's index by code, so a card costs a handful of entries, never a scan."""
    ids = matcher.by_code.get(code, [])
    if len(ids) < 2:
        return ()
    entries = sorted((matcher.entries[i] for i in ids), key=lambda e: (e.service, e.variant))
    return tuple(Choice.from_data(e) for e in entries)


def _alternatives(chosen: EntryData, candidates: Iterable[EntryData]) -> tuple[Choice, ...]:
    return tuple(Choice.from_data(c) for c in candidates if c.key != chosen.key)[:4]
