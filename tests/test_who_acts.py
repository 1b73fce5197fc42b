"""Who acts, set by a person: stored beside what the handling text says (used while none is set),
the same from the CLI, the shell and the service, kept through imports and round-tripped by
`kb export` / `kb import`. Both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine, select

from bot.core.actor import Actor, People
from bot.core.build import AppSettings, build_service
from bot.core.errors import BadRequest
from bot.core.teach import Lesson, who_acts_of
from bot.shell.shell import Shell
from knowledge.db import transaction
from knowledge.importer.load import import_page
from knowledge.models import AuditEvent, Entry
from knowledge.types import WhoActs
from testing.cli import run_cli

ADMIN = Actor("U1", "T1", "alice", admins=People.parse("U1"), workspace="T1")


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("huawei_support", WhoActs.HUAWEI_SUPPORT),
        ("Huawei-Support", WhoActs.HUAWEI_SUPPORT),
        ("huawei", WhoActs.HUAWEI_SUPPORT),
        ("customer", WhoActs.CALLER),
        ("caller", WhoActs.CALLER),
        ("billing", WhoActs.ACCOUNT_BILLING),
        ("Account or billing", WhoActs.ACCOUNT_BILLING),
        ("who acts: billing", WhoActs.ACCOUNT_BILLING),
        ("auto", None),
    ],
)
def test_who_acts_reads_the_same_whichever_way_it_is_typed(typed: str, who: WhoActs | None) -> None:
    assert who_acts_of(typed) is who


def test_anyone_else_is_refused_with_the_choices() -> None:
    with pytest.raises(BadRequest, match="caller, huawei_support, account_billing, auto"):
        who_acts_of("the intern")


def test_an_override_is_stored_used_audited_and_reset_to_the_handling(kb: Engine) -> None:
    svc = build_service(kb, AppSettings.from_env(), seen_ttl=None, batch_gaps=False)
    # The handling reads as the caller's to fix; the person who taught it knows better.
    lesson = Lesson(
        "OCR", "OCR.0001", "The image is too large.", handling="Send a smaller image.",
        who_acts=WhoActs.HUAWEI_SUPPORT,
    )  # fmt: skip
    with svc.sessions() as session:
        card = svc.teach(session, ADMIN, lesson)
        assert card.entry.who_acts is WhoActs.HUAWEI_SUPPORT
        entry = session.get(Entry, card.entry_id)
        assert entry is not None
        # The effective value is what escalation reads (entries.who_acts).
        assert (entry.who_acts, entry.who_acts_override) == ("huawei_support", "huawei_support")

        billing = svc.edit(session, card.key, ADMIN, who_acts=WhoActs.ACCOUNT_BILLING)
        assert billing.entry.who_acts is WhoActs.ACCOUNT_BILLING
        derived = svc.edit(session, card.key, ADMIN, who_acts=None)
        assert derived.entry.who_acts is WhoActs.CALLER  # read from "Send a smaller image." again
        session.refresh(entry)
        assert (entry.who_acts, entry.who_acts_override) == ("caller", None)
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entry_id == card.entry_id).order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["added", "edited", "edited"]
    assert events[0].changes["who_acts_override"] == "huawei_support"
    assert [e.changes["who_acts_override"] for e in events[1:]] == [
        ["huawei_support", "account_billing"],
        ["account_billing", None],
    ]


def test_a_reimported_page_keeps_the_override(kb: Engine, shared_dir: Path) -> None:
    svc = build_service(kb, AppSettings.from_env(), seen_ttl=None, batch_gaps=False)
    key = ("content-moderation", "AIS.0005", 0)
    with svc.sessions() as session:
        svc.edit(session, key, ADMIN, who_acts=WhoActs.HUAWEI_SUPPORT)
        svc.edit(session, key, ADMIN, handling="Check the service name and region, then retry.")
    page = shared_dir / "seeds" / "content-moderation-error-codes.txt"
    with transaction(kb) as session:
        report = import_page(session, page, service="content-moderation", doc_url=None, actor="test")
    assert report.updated >= 1  # the page's handling came back
    with transaction(kb) as session:
        entry = session.scalars(select(Entry).where(Entry.code == "AIS.0005")).one()
        assert entry.handling != "Check the service name and region, then retry."
        assert (entry.who_acts_override, entry.who_acts) == ("huawei_support", "huawei_support")


def test_the_cli_sets_it_on_add_and_edit_and_export_round_trips_it(db_url: str, tmp_path: Path) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    added = run_cli(
        "kb", "add", "OCR.0001", "--service", "OCR", "--message", "The image is too large.",
        "--handling", "Send a smaller image.", "--who-acts", "huawei", db_url=db_url,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Huawei support must act" in added.stdout
    edited = run_cli("kb", "edit", "AIS.0027", "--who-acts", "customer", db_url=db_url)
    assert edited.returncode == 0 and "The caller can fix it" in edited.stdout
    refused = run_cli("kb", "edit", "AIS.0027", "--who-acts", "the intern", db_url=db_url)
    assert refused.returncode == 1 and "huawei_support" in refused.stderr
    nothing = run_cli("kb", "edit", "AIS.0027", db_url=db_url)
    assert nothing.returncode == 1 and "--who-acts" in nothing.stderr

    export = tmp_path / "kb.jsonl"
    assert run_cli("kb", "export", "-o", str(export), db_url=db_url).returncode == 0
    records = {r["code"]: r for r in map(json.loads, export.read_text().splitlines())}
    assert (records["OCR.0001"]["who_acts"], records["AIS.0027"]["who_acts"]) == ("huawei_support", "caller")
    assert records["AIS.0005"]["who_acts"] is None  # read from the handling
    other = f"sqlite:///{tmp_path / 'other.db'}"
    run_cli("db", "upgrade", db_url=other)
    assert run_cli("kb", "import", str(export), db_url=other).returncode == 0
    assert run_cli("kb", "export", db_url=other).stdout == export.read_text()
    assert "The caller can fix it" in run_cli("kb", "show", "AIS.0027", db_url=other).stdout

    reset = run_cli("kb", "edit", "AIS.0027", "--who-acts", "auto", db_url=db_url)
    assert reset.returncode == 0 and "Account or billing" in reset.stdout  # "… in arrears"


def test_an_export_line_with_someone_else_acting_stops_the_import(db_url: str, tmp_path: Path) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    bad = tmp_path / "kb.jsonl"
    line = {"format": "hwerror-kb/1", "service": "x", "code": "X.0001", "variant": 0, "message": "m"}
    bad.write_text(json.dumps({**line, "who_acts": "the intern"}) + "\n")
    failed = run_cli("kb", "import", str(bad), db_url=db_url)
    assert failed.returncode == 1 and "line 1: 'who_acts'" in failed.stderr
    assert "X.0001" not in run_cli("kb", "list", db_url=db_url).stdout


def test_the_shell_teaches_who_acts_after_the_handling(kb: Engine) -> None:
    svc = build_service(kb, AppSettings.from_env(), seen_ttl=0, batch_gaps=False)
    console = Console(record=True, width=120)
    shell = Shell(svc, console=console, read=lambda prompt: "", user="carol")
    shell.handle("/teach OCR.0002 OCR | Image unreadable. | Send a sharper image. | billing")
    shell.handle(
        "/teach OCR.0003 OCR | Quota used up. | Wait. | https://support.huaweicloud.com/x.html | huawei"
    )
    shell.handle("/teach OCR.0004 OCR | Bad image. | Retry. | nobody in particular")
    out = console.export_text()
    assert "is not who acts" in out
    with transaction(kb) as session:
        rows = session.execute(
            select(Entry.code, Entry.who_acts_override, Entry.doc_url).where(Entry.service == "ocr")
        ).all()
    assert sorted(rows) == [
        ("OCR.0002", "account_billing", None),
        ("OCR.0003", "huawei_support", "https://support.huaweicloud.com/x.html"),
    ]
