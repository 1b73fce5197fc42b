"""The knowledge base as JSON lines: one line per entry, with its team notes. `hwerror kb export`
writes them and `hwerror kb import` reads them back unchanged (a backup, a review in git, a move
to another database). A line that is not an entry stops the import before anything is written."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from knowledge.models import AuditEvent, Entry, TeamNote
from knowledge.store import ImportReport, record_service
from knowledge.types import WhoActs

FORMAT = "hwerror-kb/1"
_FIELDS = ("status", "message", "description", "handling", "doc_url", "category")
_WHO_ACTS = "who_acts"  # the override a person set (entries.who_acts_override), or null


class BadExport(ValueError):
    """A line of an export that cannot be read."""


def export_lines(session: Session, service: str | None = None) -> Iterator[str]:
    query = (
        select(Entry).options(selectinload(Entry.notes)).order_by(Entry.service, Entry.code, Entry.variant)
    )
    if service:
        query = query.where(Entry.service == service)
    for e in session.scalars(query):
        record: dict[str, Any] = {
            "format": FORMAT,
            "service": e.service,
            "code": e.code,
            "variant": e.variant,
        }
        record.update({f: getattr(e, f) for f in _FIELDS})
        record[_WHO_ACTS] = e.who_acts_override  # null: read from the handling text
        record["notes"] = [
            {"text": n.text, "author": n.author, "at": n.created_at.isoformat()} for n in e.notes
        ]
        yield json.dumps(record, ensure_ascii=False, sort_keys=True)


def _read(lines: Iterable[str], name: str) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise BadExport(f"{name} line {number} is not JSON ({exc})") from exc
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise BadExport(f"{name} line {number} is not an entry of an hwerror export")
        for key, kind in (("service", str), ("code", str), ("variant", int), ("message", str)):
            if not isinstance(record.get(key), kind):
                raise BadExport(f"{name} line {number}: {key!r} is missing or not a {kind.__name__}")
        who = record.get(_WHO_ACTS)
        if who is not None and who not in {w.value for w in WhoActs}:
            raise BadExport(f"{name} line {number}: {_WHO_ACTS!r} is {str(who)[:40]!r}, not who acts")
        records.append(record)
    if not records:
        raise BadExport(f"{name} holds no entries")
    return records


def import_lines(session: Session, lines: Iterable[str], *, name: str, actor: str) -> dict[str, ImportReport]:
    """Every entry and note of an export, per service; what is already there is left as it is."""
    reports: dict[str, ImportReport] = {}
    for r in _read(lines, name):
        report = reports.setdefault(r["service"], ImportReport())
        entry = session.scalars(
            select(Entry).where(
                Entry.service == r["service"], Entry.code == r["code"], Entry.variant == r["variant"]
            )
        ).one_or_none()
        values = {
            f: r.get(f) if f in ("status", "doc_url", "category") else (r.get(f) or "") for f in _FIELDS
        }
        if _WHO_ACTS in r:  # exports older than the override say nothing of it: keep what is there
            values["who_acts_override"] = r[_WHO_ACTS]
        if entry is None:
            entry = Entry(service=r["service"], code=r["code"], variant=r["variant"], **values)
            entry.who_acts = entry.to_data().who_acts.value
            session.add(entry)
            session.flush()
            session.add(AuditEvent(entry_id=entry.id, action="imported", actor=actor, changes=values))
            report.added += 1
        else:
            changes = {f: [getattr(entry, f), v] for f, v in values.items() if getattr(entry, f) != v}
            if changes:
                for f, (_, new) in changes.items():
                    setattr(entry, f, new)
                entry.who_acts = entry.to_data().who_acts.value
                session.add(AuditEvent(entry_id=entry.id, action="updated", actor=actor, changes=changes))
                report.updated += 1
            else:
                report.unchanged += 1
        have = {(n.text, n.author) for n in entry.notes} if entry.id else set()
        for note in r.get("notes") or []:
            if (note["text"], note["author"]) in have:
                continue
            session.add(
                TeamNote(
                    entry_id=entry.id,
                    text=note["text"],
                    author=note["author"],
                    created_at=datetime.fromisoformat(note["at"]),
                )
            )
    for service in reports:
        record_service(session, service, source=name)
    session.flush()
    return reports
