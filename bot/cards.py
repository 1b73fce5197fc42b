"""The remedy card as data: what every renderer (Block Kit, terminal) shows for one finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from knowledge.models import Entry
from knowledge.types import WhoActs


@dataclass(frozen=True)
class CardNote:
    text: str
    author: str
    at: datetime


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

    @classmethod
    def from_entry(cls, entry: Entry) -> RemedyCard:
        return cls(
            service=entry.service,
            code=entry.code,
            variant=entry.variant,
            status=entry.status,
            message=entry.message,
            description=entry.description,
            handling=entry.handling,
            who_acts=WhoActs(entry.who_acts),
            doc_url=entry.doc_url,
            notes=tuple(CardNote(n.text, n.author, n.created_at) for n in entry.notes),
        )
