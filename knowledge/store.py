"""Reading and writing the knowledge base: upsert imported rows, team notes, the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.clock import utcnow
from knowledge.importer.rows import ParsedRow, SkippedRow, entries_from_rows
from knowledge.models import AuditEvent, Entry, TeamNote
from knowledge.types import EntryData

# The fields an import owns; notes and audit rows are the team's and never touched by an import.
_IMPORTED_FIELDS = ("status", "message", "description", "handling", "doc_url", "category")


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def upsert_rows(
    session: Session,
    rows: list[ParsedRow],
    *,
    service: str,
    doc_url: str | None,
    actor: str,
    skipped: list[SkippedRow] | None = None,
) -> ImportReport:
    report = ImportReport(skipped=list(skipped or []))
    existing = {
        (e.code, e.variant): e for e in session.scalars(select(Entry).where(Entry.service == service))
    }
    for data in entries_from_rows(rows, service, doc_url):
        entry = existing.get((data.code, data.variant))
        if entry is None:
            entry = Entry(service=service, code=data.code, variant=data.variant)
            _assign(entry, data)
            session.add(entry)
            session.flush()
            session.add(
                AuditEvent(
                    entry_id=entry.id,
                    action="imported",
                    actor=actor,
                    changes={f: getattr(data, f) for f in _IMPORTED_FIELDS},
                )
            )
            report.added += 1
            continue
        changes = {
            f: [getattr(entry, f), getattr(data, f)]
            for f in _IMPORTED_FIELDS
            # An import without --doc-url keeps the link the entry already has.
            if getattr(data, f) != getattr(entry, f) and not (f == "doc_url" and data.doc_url is None)
        }
        if not changes:
            report.unchanged += 1
            continue
        for f, (_, new) in changes.items():
            setattr(entry, f, new)
        entry.who_acts = data.who_acts.value
        entry.updated_at = utcnow()
        session.add(AuditEvent(entry_id=entry.id, action="updated", actor=actor, changes=changes))
        report.updated += 1
    return report


def _assign(entry: Entry, data: EntryData) -> None:
    for f in _IMPORTED_FIELDS:
        setattr(entry, f, getattr(data, f))
    entry.who_acts = data.who_acts.value


def load_entries(session: Session) -> list[EntryData]:
    rows = session.scalars(select(Entry).order_by(Entry.service, Entry.code, Entry.variant))
    return [e.to_data() for e in rows]


def find_entries(session: Session, code: str, service: str | None = None) -> list[Entry]:
    """Entries whose code equals `code`, ignoring case (codes are typed by people)."""
    from sqlalchemy import func

    query = select(Entry).where(func.lower(Entry.code) == code.lower())
    if service:
        query = query.where(Entry.service == service)
    return list(session.scalars(query.order_by(Entry.service, Entry.variant)))


def get_entry(session: Session, service: str, code: str, variant: int = 0) -> Entry | None:
    return session.scalars(
        select(Entry).where(Entry.service == service, Entry.code == code, Entry.variant == variant)
    ).one_or_none()


def add_note(session: Session, entry: Entry, text: str, author: str) -> TeamNote:
    note = TeamNote(entry_id=entry.id, text=text, author=author)
    session.add(note)
    session.flush()
    session.add(
        AuditEvent(
            entry_id=entry.id, action="note_added", actor=author, changes={"note_id": note.id, "text": text}
        )
    )
    return note
