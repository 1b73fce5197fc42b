"""Upserting imported rows: counts, idempotence, variants, notes and the audit trail."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine, func, select

from knowledge.bundled import bundled_rows, load_bundled
from knowledge.db import session_factory, transaction
from knowledge.importer.rows import ParsedRow
from knowledge.models import AuditEvent, Entry, TeamNote
from knowledge.store import add_note, get_entry, load_entries, upsert_rows


def _row(code: str, message: str, status: int | None = 400, handling: str = "Check it.") -> ParsedRow:
    return ParsedRow(
        code=code, status=status, message=message, description=message, handling=handling, category=None
    )


def test_bundled_knowledge_loads_56_entries_once(engine: Engine) -> None:
    with transaction(engine) as session:
        first = load_bundled(session)["content-moderation"]
    with transaction(engine) as session:
        second = load_bundled(session)["content-moderation"]
    assert (first.added, first.updated, first.unchanged) == (56, 0, 0)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 56)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Entry)) == 56
        entry = get_entry(session, "content-moderation", "AIS.0003")
        assert entry is not None and entry.who_acts == "huawei_support"
        assert entry.doc_url and entry.doc_url.startswith("https://support.huaweicloud.com/")


def test_rows_sharing_a_code_become_numbered_variants(engine: Engine) -> None:
    rows = [
        _row("APIG.0201", "Backend timeout.", 504),
        _row("APIG.0201", "Body too large.", 413),
        _row("APIG.0101", "No such API.", 404),
    ]
    with transaction(engine) as session:
        report = upsert_rows(session, rows, service="api-gateway", doc_url=None, actor="test")
    assert report.added == 3
    with session_factory(engine)() as session:
        variants = {(e.code, e.variant): e.status for e in load_entries(session)}
    assert variants == {("APIG.0201", 0): 504, ("APIG.0201", 1): 413, ("APIG.0101", 0): 404}


def test_reimport_updates_changed_fields_with_an_audit_event_and_keeps_team_notes(engine: Engine) -> None:
    service, doc_url, rows = bundled_rows("content-moderation.json")
    with transaction(engine) as session:
        upsert_rows(session, rows, service=service, doc_url=doc_url, actor="test")
    with transaction(engine) as session:
        entry = get_entry(session, service, "AIS.0027")
        assert entry is not None
        add_note(session, entry, "Finance tops up the account within the hour.", "U123")
    changed = [replace(r, handling="Recharge the account.") if r.code == "AIS.0027" else r for r in rows]
    with transaction(engine) as session:
        report = upsert_rows(session, changed, service=service, doc_url=None, actor="reimport")
    assert (report.added, report.updated, report.unchanged) == (0, 1, 55)
    with session_factory(engine)() as session:
        entry = get_entry(session, service, "AIS.0027")
        assert entry is not None
        assert entry.handling == "Recharge the account."
        assert entry.doc_url == doc_url, "an import without --doc-url keeps the existing link"
        assert [n.text for n in entry.notes] == ["Finance tops up the account within the hour."]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entry_id == entry.id).order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == ["imported", "note_added", "updated"]
        assert events[1].actor == "U123"
        assert events[2].changes["handling"] == [
            "Check whether the account is in arrears.",
            "Recharge the account.",
        ]
        assert session.scalar(select(func.count()).select_from(TeamNote)) == 1


def test_db_upgrade_never_reverts_a_teams_reimport_of_the_bundled_page(engine: Engine) -> None:
    with transaction(engine) as session:
        load_bundled(session)
    with transaction(engine) as session:
        upsert_rows(
            session,
            [_row("AIS.0003", "Our own wording.", handling="Ask the platform team.")],
            service="content-moderation",
            doc_url=None,
            actor="import:alice",
        )
    with transaction(engine) as session:
        again = load_bundled(session)["content-moderation"]
    assert (again.added, again.updated) == (0, 0)
    with session_factory(engine)() as session:
        entry = get_entry(session, "content-moderation", "AIS.0003")
        assert entry is not None and entry.message == "Our own wording."


def test_a_changed_bundled_file_is_loaded_again_but_team_edits_stay(engine: Engine) -> None:
    from knowledge.models import Service

    with transaction(engine) as session:
        load_bundled(session)
        upsert_rows(
            session,
            [_row("AIS.0003", "Team wording.")],
            service="content-moderation",
            doc_url=None,
            actor="import:alice",
        )
        # An older hwerror loaded another version of the file, and a bundled row was lost since.
        session.scalars(select(Service)).one().bundled_hash = "an older file"
        session.delete(get_entry(session, "content-moderation", "AIS.0005"))
    with transaction(engine) as session:
        report = load_bundled(session)["content-moderation"]
    assert (report.added, report.kept) == (1, 1)
    with session_factory(engine)() as session:
        team = get_entry(session, "content-moderation", "AIS.0003")
        assert team is not None and team.message == "Team wording."
        assert get_entry(session, "content-moderation", "AIS.0005") is not None
        row = session.scalars(select(Service)).one()
        assert (row.display_name, row.source) == ("Content Moderation", "bundled:content-moderation.json")
