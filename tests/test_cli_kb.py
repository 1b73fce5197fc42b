"""The `hwerror db` and `hwerror kb` commands, run as real processes, happy and error paths."""

from __future__ import annotations

from pathlib import Path

from testing.cli import run_cli


def test_db_upgrade_then_kb_list_shows_the_56_seed_codes(db_url: str) -> None:
    first = run_cli("db", "upgrade", db_url=db_url)
    assert first.returncode == 0, first.stderr
    assert "content-moderation: 56 added, 0 updated, 0 unchanged" in first.stdout
    again = run_cli("db", "upgrade", db_url=db_url)
    assert "content-moderation: 0 added, 0 updated, 56 unchanged" in again.stdout
    listing = run_cli("kb", "list", db_url=db_url)
    assert listing.returncode == 0, listing.stderr
    assert "56 entries" in listing.stdout
    assert "AIS.0027" in listing.stdout and "ModelArts.4706" in listing.stdout


def test_kb_show_prints_the_card_and_names_a_missing_code(db_url: str) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    shown = run_cli("kb", "show", "ais.0027", db_url=db_url)
    assert shown.returncode == 0, shown.stderr
    assert "The account has been frozen." in shown.stdout
    assert "Account or billing" in shown.stdout
    missing = run_cli("kb", "show", "AIS.9999", db_url=db_url)
    assert missing.returncode == 1
    assert "'AIS.9999' is not in the knowledge base" in missing.stderr


def test_import_of_a_file_that_is_not_an_error_page_writes_nothing(db_url: str, tmp_path: Path) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list\n\nmilk\n\neggs\n")
    result = run_cli("kb", "import", str(notes), "--service", "groceries", db_url=db_url)
    assert result.returncode == 1
    assert "nothing imported" in result.stderr and "Traceback" not in result.stderr
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = run_cli("kb", "import", str(binary), "--service", "groceries", db_url=db_url)
    assert result.returncode == 1 and "binary file" in result.stderr
    missing = run_cli("kb", "import", str(tmp_path / "nope.html"), "--service", "x", db_url=db_url)
    assert missing.returncode == 1 and "is not a file" in missing.stderr
    assert "0 entries" not in run_cli("kb", "list", "--service", "groceries", db_url=db_url).stdout
    assert run_cli("kb", "list", "--service", "groceries", db_url=db_url).returncode == 1


def test_service_names_are_normalised_and_a_bad_doc_url_is_refused(db_url: str, shared_dir: Path) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    page = str(shared_dir / "seeds" / "content-moderation-error-codes.txt")
    named = run_cli("kb", "import", page, "--service", "Content Moderation!", db_url=db_url)
    assert named.returncode == 0 and "content-moderation: 0 added, 0 updated, 56 unchanged" in named.stdout
    bad = run_cli("kb", "import", page, "--service", "!!", db_url=db_url)
    assert bad.returncode == 1 and "--service" in bad.stderr
    bad = run_cli("kb", "import", page, "--service", "cm", "--doc-url", "javascript:alert(1)", db_url=db_url)
    assert bad.returncode == 1 and "--doc-url" in bad.stderr


def test_unreachable_database_is_one_line_with_the_password_masked(tmp_path: Path) -> None:
    url = "postgresql://hw:s3cr3t-pw@127.0.0.1:1/hwerror"
    result = run_cli("kb", "list", db_url=url)
    assert result.returncode == 1
    assert "s3cr3t-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert "postgresql://hw:***@127.0.0.1:1/hwerror" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_postgres_scheme_from_hosting_platforms_is_accepted(tmp_path: Path) -> None:
    result = run_cli("kb", "list", db_url="postgres://hw:pw@127.0.0.1:1/db")
    assert "postgres://hw:***@127.0.0.1:1/db" in result.stderr
    assert "Connection refused" in result.stderr, "psycopg was used: the URL was understood"
    assert "Can't load plugin" not in result.stderr


def test_a_database_without_the_schema_asks_for_db_upgrade(tmp_path: Path) -> None:
    import sqlite3

    sqlite3.connect(tmp_path / "empty.db").close()  # a file, but never migrated
    result = run_cli("kb", "list", db_url=f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.returncode == 1
    assert "is not up to date: run hwerror db upgrade first" in result.stderr


def test_a_missing_relative_sqlite_file_is_named_with_the_folder_and_not_created(tmp_path: Path) -> None:
    result = run_cli("lookup", "AIS.0027", db_url="sqlite:///hwerror.db", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"there is no database at ./hwerror.db in {tmp_path}" in result.stderr
    assert "run hwerror db upgrade here first" in result.stderr
    assert not (tmp_path / "hwerror.db").exists()  # SQLite would have made an empty one


def test_garbage_database_url_is_named_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli("kb", "list", db_url="not a url at all")
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


OTC_PAGES = [
    ("api-gateway-error-codes.html", "api-gateway", 71),
    ("api-gateway-error-codes.rst", "api-gateway", 71),
    ("api-gateway-management-error-codes.html", "api-gateway-management", 293),
    ("modelarts-error-codes.html", "modelarts", 864),
    ("modelarts-error-codes.rst", "modelarts", 864),
]


def test_each_otc_page_imports_its_stated_row_count_and_reimports_unchanged(
    db_url: str, shared_dir: Path
) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    imported: set[str] = set()
    for name, service, rows in OTC_PAGES:
        page = str(shared_dir / "seeds" / "otc" / name)
        result = run_cli("kb", "import", page, "--service", service, db_url=db_url)
        assert result.returncode == 0, result.stderr
        if service in imported:
            # The .rst source and the .html page of one page hold the same rows.
            assert f"{service}: 0 added, 0 updated, {rows} unchanged, 0 skipped" in result.stdout
        else:
            assert f"{service}: {rows} added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
        imported.add(service)
        again = run_cli("kb", "import", page, "--service", service, db_url=db_url)
        assert f"{service}: 0 added, 0 updated, {rows} unchanged, 0 skipped" in again.stdout
    listing = run_cli("kb", "list", "--service", "api-gateway", db_url=db_url)
    assert "71 entries" in listing.stdout


def test_team_note_survives_reimport_of_the_seed_page(db_url: str, shared_dir: Path) -> None:
    from knowledge.db import make_engine, session_factory, transaction
    from knowledge.store import add_note, get_entry

    run_cli("db", "upgrade", db_url=db_url)
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            entry = get_entry(session, "content-moderation", "AIS.0005")
            assert entry is not None
            add_note(session, entry, "Region cn-north-4 only.", "U42")
        page = str(shared_dir / "seeds" / "content-moderation-error-codes.txt")
        result = run_cli("kb", "import", page, "--service", "content-moderation", db_url=db_url)
        assert "0 added, 0 updated, 56 unchanged, 1 skipped" in result.stdout
        assert "'Others' is not an error code" in result.stdout
        with session_factory(engine)() as session:
            entry = get_entry(session, "content-moderation", "AIS.0005")
            assert entry is not None and [n.text for n in entry.notes] == ["Region cn-north-4 only."]
    finally:
        engine.dispose()


def test_lookup_forgives_typos_offers_did_you_mean_and_counts_unknown_codes(db_url: str) -> None:
    from sqlalchemy import select

    from bot.core.models import KnowledgeGap
    from knowledge.db import make_engine

    run_cli("db", "upgrade", db_url=db_url)
    typo = run_cli("lookup", "AlS.0027", db_url=db_url)
    assert typo.returncode == 0 and "The account has been frozen." in typo.stdout
    message = run_cli("lookup", "token", "is", "empty", db_url=db_url)
    assert "ModelArts.4101" in message.stdout
    unknown = run_cli("lookup", "AIS.0999", db_url=db_url)
    assert unknown.returncode == 0 and "Not in the knowledge base yet" in unknown.stdout
    assert "AIS.0039" in unknown.stdout  # a close match offered
    nothing = run_cli("lookup", "hello", "world", db_url=db_url)
    assert nothing.returncode == 1 and "no Huawei Cloud error code found" in nothing.stderr
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(KnowledgeGap.count).where(KnowledgeGap.code == "AIS.0999")) == 1
    finally:
        engine.dispose()


def test_kb_list_reads_at_80_columns_with_the_cards_who_acts_and_names_the_services(db_url: str) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    listing = run_cli("kb", "list", db_url=db_url, extra_env={"COLUMNS": "80"})
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "huawei_support" not in listing.stdout and "Huawei support must act" in listing.stdout
    # The message wraps at spaces: words stay whole (no 7-character slivers).
    row = next(i for i, line in enumerate(lines) if "AIS.0003" in line)
    message = " ".join(line[25:56].strip() for line in lines[row : row + 3])
    assert "Failed to complete the request" in " ".join(message.split())
    unknown = run_cli("kb", "list", "--service", "apig", db_url=db_url)
    assert unknown.returncode == 1
    assert "there is no service 'apig'; the services are: content-moderation" in unknown.stderr
    same = run_cli("kb", "list", "--service", "Content-Moderation", db_url=db_url)
    assert same.returncode == 0 and "56 entries" in same.stdout
