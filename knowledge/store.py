"""Reading and writing the knowledge base: upsert imported rows, team notes, the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.clock import utcnow
from knowledge.importer.rows import ParsedRow, SkippedRow, entries_from_rows
from knowledge.models import AuditEvent, Entry, Service, TeamNote
from knowledge.services import display_name
from knowledge.types import EntryData

BUNDLED_ACTOR = "bundled"  # the actor of what `hwerror db upgrade` loads from the bundled page

# The fields an import owns; notes and audit rows are the team's and never touched by an import.
_IMPORTED_FIELDS = ("status", "message", "description", "handling", "doc_url", "category")


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    kept: int = 0  # entries left as the team made them (a bundled load never overwrites those)

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
    keep: set[tuple[str, int]] | None = None,
) -> ImportReport:
    """Add or update one page's rows of `service`; (code, variant)s in `keep` are not touched."""
    report = ImportReport(skipped=list(skipped or []))
    existing = {
        (e.code, e.variant): e for e in session.scalars(select(Entry).where(Entry.service == service))
    }
    for data in entries_from_rows(rows, service, doc_url):
        entry = existing.get((data.code, data.variant))
        if keep and (data.code, data.variant) in keep:
            report.unchanged += 1
            continue
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
        entry.who_acts = entry.to_data().who_acts.value  # a person's override outlives imports
        entry.updated_at = utcnow()
        session.add(AuditEvent(entry_id=entry.id, action="updated", actor=actor, changes=changes))
        report.updated += 1
    return report


def _assign(entry: Entry, data: EntryData) -> None:
    for f in _IMPORTED_FIELDS:
        setattr(entry, f, getattr(data, f))
    entry.who_acts_override = data.who_acts_override.value if data.who_acts_override else None
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


def team_owned(session: Session, service: str) -> set[tuple[str, int]]:
    """(code, variant)s of `service` whose latest change is not the bundled page's: imported,
    added or edited by a team."""
    latest: dict[int, str] = {}
    events = session.execute(
        select(AuditEvent.entry_id, AuditEvent.actor)
        .join(Entry, Entry.id == AuditEvent.entry_id)
        .where(Entry.service == service, AuditEvent.action != "note_added")
        .order_by(AuditEvent.id)
    )
    for entry_id, actor in events:
        if entry_id is not None:
            latest[entry_id] = actor
    owned = {i for i, actor in latest.items() if actor != BUNDLED_ACTOR}
    if not owned:
        return set()
    rows = session.execute(select(Entry.code, Entry.variant).where(Entry.id.in_(owned)))
    return {(code, variant) for code, variant in rows}


def service_row(session: Session, slug: str) -> Service | None:
    return session.scalars(select(Service).where(Service.slug == slug)).one_or_none()


def record_service(
    session: Session, slug: str, *, source: str | None, bundled_hash: str | None = None
) -> Service:
    """Remember where a service's codes came from last (and the bundled page's hash)."""
    row = service_row(session, slug)
    if row is None:
        row = Service(slug=slug, display_name=display_name(slug))
        session.add(row)
    row.source = source
    if bundled_hash is not None:
        row.bundled_hash = bundled_hash
    row.updated_at = utcnow()
    session.flush()
    return row


def add_entry(session: Session, data: EntryData, actor: str) -> Entry:
    """A code a team taught the knowledge base (from Slack, the shell or the CLI), as a new
    variant when the service already has the code."""
    taken = session.scalars(
        select(Entry.variant).where(Entry.service == data.service, Entry.code == data.code)
    ).all()
    entry = Entry(service=data.service, code=data.code, variant=max(taken, default=-1) + 1)
    _assign(entry, data)
    session.add(entry)
    session.flush()
    session.add(
        AuditEvent(
            entry_id=entry.id,
            action="added",
            actor=actor,
            changes=_added_fields(data),
        )
    )
    if service_row(session, data.service) is None:
        record_service(session, data.service, source=f"team:{actor}")
    return entry


def _added_fields(data: EntryData) -> dict[str, object]:
    out: dict[str, object] = {f: getattr(data, f) for f in _IMPORTED_FIELDS}
    if data.who_acts_override is not None:
        out[WHO_ACTS_OVERRIDE] = data.who_acts_override.value
    return out


# The field a person sets for who acts (None: read from the handling text), beside the imported ones.
WHO_ACTS_OVERRIDE = "who_acts_override"
_EDITABLE_FIELDS = (*_IMPORTED_FIELDS, WHO_ACTS_OVERRIDE)


def edit_entry(session: Session, entry: Entry, actor: str, **fields: str | None) -> dict[str, list[object]]:
    """Change an entry's own fields (the handling text, who acts, …), recorded in the audit trail."""
    changes: dict[str, list[object]] = {
        f: [getattr(entry, f), v]
        for f, v in fields.items()
        if f in _EDITABLE_FIELDS and getattr(entry, f) != v
    }
    for f, (_, new) in changes.items():
        setattr(entry, f, new)
    if changes:
        entry.who_acts = entry.to_data().who_acts.value
        entry.updated_at = utcnow()
        session.add(AuditEvent(entry_id=entry.id, action="edited", actor=actor, changes=changes))
    return changes
