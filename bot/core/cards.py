"""The cards as data: what every renderer (Block Kit, terminal) shows for one finding.

Three kinds: a `RemedyCard` for a known entry (with "did you mean" alternatives when the match is
unsure), a `ChoiceCard` when the text could mean several known codes and none stands out, and an
`UnknownCard` for a code the knowledge base does not have yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from knowledge.models import Entry
from knowledge.types import EntryData, WhoActs


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

    @classmethod
    def from_data(cls, entry: EntryData) -> Choice:
        return cls(entry.service, entry.code, entry.variant, entry.message)

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
    service: str
    code: str
    variant: int
    status: int | None
    message: str
    description: str
    handling: str
    who_acts: WhoActs
    doc_url: str | None
    notes: tuple[CardNote, ...] = field(default_factory=tuple)
    entry_id: int | None = None
    # None means "not known", and nothing is shown for it.
    seen_7d: int | None = None
    ticket: str | None = None
    # False when the match is a guess; `alternatives` are the other entries it may have meant.
    confident: bool = True
    alternatives: tuple[Choice, ...] = ()
    request_id: str | None = None
    tally: Tally = field(default_factory=Tally)
    # The code is in several services and nothing said which: this card is one of them, and
    # `alternatives` hold the others' meanings.
    open_services: tuple[str, ...] = ()

    @classmethod
    def from_entry(cls, entry: Entry, **extra: object) -> RemedyCard:
        """A card from the knowledge base's row: with its team notes and id."""
        notes = tuple(CardNote(n.text, n.author, n.created_at) for n in entry.notes)
        return cls.from_data(entry.to_data(), notes=notes, entry_id=entry.id, **extra)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.service, self.code, self.variant)

    def entry_data(self) -> EntryData:
        return EntryData(
            service=self.service,
            code=self.code,
            variant=self.variant,
            status=self.status,
            message=self.message,
            description=self.description,
            handling=self.handling,
            doc_url=self.doc_url,
        )

    @classmethod
    def from_data(cls, entry: EntryData, **extra: object) -> RemedyCard:
        """A card from the matcher's copy of an entry (no notes): used when the row is gone."""
        return cls(
            service=entry.service,
            code=entry.code,
            variant=entry.variant,
            status=entry.status,
            message=entry.message,
            description=entry.description,
            handling=entry.handling,
            who_acts=entry.who_acts,
            doc_url=entry.doc_url,
            **extra,  # type: ignore[arg-type]
        )


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


Card = RemedyCard | ChoiceCard | UnknownCard
