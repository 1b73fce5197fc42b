"""The cards as data: what every renderer (Block Kit, terminal) shows for one finding.

Three kinds: a `RemedyCard` for a known entry (with "did you mean" alternatives when the match is
unsure), a `ChoiceCard` when the text could mean several known codes and none stands out, and an
`UnknownCard` for a code the knowledge base does not have yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from knowledge.models import Entry
from knowledge.types import EntryData

# A card shows the newest team notes and says how many more there are (`hwerror kb show` has all).
NOTES_ON_CARD = 3


@dataclass(frozen=True)
class CardNote:
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class Choice:
    """A knowledge-base entry offered as "did you mean"."""

    service: str
    code: str
    variant: int
    message: str
    status: int | None = None

    @classmethod
    def from_data(cls, entry: EntryData) -> Choice:
        return cls(entry.service, entry.code, entry.variant, entry.message, entry.status)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.service, self.code, self.variant)


@dataclass(frozen=True)
class Tally:
    helpful: int = 0
    not_helpful: int = 0
    escalations: int = 0


@dataclass(frozen=True)
class RemedyCard:
    """A known entry as people see it: the entry itself, its team notes, and what this answer adds."""

    entry: EntryData
    notes: tuple[CardNote, ...] = field(default_factory=tuple)
    entry_id: int | None = None  # None: the row is gone, the card shows the matcher's copy
    # None means "not known", and nothing is shown for it.
    seen_7d: int | None = None
    ticket: str | None = None
    # False when the match is a guess; `alternatives` are the other entries it may have meant.
    confident: bool = True
    alternatives: tuple[Choice, ...] = ()
    request_id: str | None = None
    tally: Tally = field(default_factory=Tally)
    # The public card, for people outside the workspace: no notes, counts or ticket, no team actions.
    public: bool = False
    # The code is in several services and nothing said which: this card is one of them, and
    # `alternatives` hold the others' meanings.
    open_services: tuple[str, ...] = ()
    # Every entry of this code (this one among them, in every service that has it) when there
    # are several: the card says "2 of 8 variants" and lets the person switch.
    variants: tuple[Choice, ...] = ()

    def as_public(self) -> RemedyCard:
        return replace(self, notes=(), seen_7d=None, ticket=None, public=True)

    @classmethod
    def from_entry(cls, entry: Entry, **extra: Any) -> RemedyCard:
        """A card from the knowledge base's row: with its team notes and id."""
        notes = tuple(CardNote(n.text, n.author, n.created_at) for n in entry.notes)
        return cls(entry.to_data(), notes=notes, entry_id=entry.id, **extra)

    @property
    def code(self) -> str:
        return self.entry.code

    @property
    def service(self) -> str:
        return self.entry.service

    @property
    def key(self) -> tuple[str, str, int]:
        return self.entry.key

    @property
    def variant_number(self) -> int | None:
        """This card's place (1-based) among `variants`; None when the code has one entry."""
        return next((n for n, c in enumerate(self.variants, 1) if c.key == self.key), None)

    @property
    def newest_notes(self) -> tuple[CardNote, ...]:
        """The notes a card shows, newest first."""
        return tuple(reversed(self.notes))[:NOTES_ON_CARD]

    @property
    def more_notes(self) -> int:
        """How many older notes the card leaves out: "and 2 more"."""
        return max(0, len(self.notes) - NOTES_ON_CARD)


@dataclass(frozen=True)
class ChoiceCard:
    """The text could be any of these known entries; the person picks."""

    code: str
    candidates: tuple[Choice, ...]


@dataclass(frozen=True)
class UnknownCard:
    """A code the knowledge base does not have (recorded as a knowledge gap)."""

    code: str
    message: str | None
    status: int | None
    candidates: tuple[Choice, ...] = ()
    # Shown outside the workspace (Slack Connect): nobody there may add it to the knowledge base.
    public: bool = False

    def as_public(self) -> UnknownCard:
        return replace(self, public=True)


Card = RemedyCard | ChoiceCard | UnknownCard
