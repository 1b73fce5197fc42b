"""`hwerror kb import` from directories and URLs, `kb services`, `kb export` read back unchanged,
`kb add` / `kb edit`: run as real processes; URLs served by a real server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from testing.cli import run_cli

PAGE = (
    "<html><body><table><tr><th>Error Code</th><th>Error Message</th><th>Solution</th></tr>"
    "<tr><td>OCR.0001</td><td>The image is too large.</td><td>Send a smaller image.</td></tr>"
    "</table></body></html>"
)


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == "/page.html":
            body = PAGE.encode()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        elif self.path == "/slow":
            threading.Event().wait(3)
            body = PAGE.encode()
        elif self.path == "/huge":
            body = b"<table>" + b"x" * (21 * 1024 * 1024)
        elif self.path == "/blog":
            body = b"<html><body><p>Our team offsite</p><table><tr><td>a</td></tr></table></body></html>"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_page_from_a_url_is_imported_under_the_normalised_service(db_url: str, site: str) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    done = run_cli(
        "kb", "import", f"{site}/page.html", "--service", "Optical Character Recognition", db_url=db_url
    )
    assert done.returncode == 0, done.stderr
    assert "ocr: 1 added" in done.stdout
    services = run_cli("kb", "services", db_url=db_url)
    assert "Optical Character Recognition" in services.stdout and f"{site}/page.html" in services.stdout
    assert "content-moderation" in services.stdout


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/missing", "answered HTTP 404"),
        ("/loop", "redirects more than 5 times"),
        ("/huge", "refused"),
        ("/blog", "error-code header"),
    ],
)
def test_a_bad_url_is_named_and_nothing_is_written(db_url: str, site: str, path: str, said: str) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    failed = run_cli("kb", "import", f"{site}{path}", "--service", "ocr", db_url=db_url)
    assert failed.returncode == 1 and said in failed.stderr and "Traceback" not in failed.stderr
    assert "ocr" not in run_cli("kb", "services", db_url=db_url).stdout


def test_a_url_that_does_not_answer_in_time_is_named(db_url: str, site: str) -> None:
    from knowledge.importer.fetch import fetch_text
    from knowledge.importer.rows import NotAnErrorPage

    with pytest.raises(NotAnErrorPage, match="did not answer within 0.5 s"):
        fetch_text(f"{site}/slow", max_bytes=1000, timeout=0.5)


def test_a_directory_imports_each_page_and_names_the_ones_it_cannot_read(db_url: str, tmp_path: Path) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    (tmp_path / "a.html").write_text(PAGE)
    (tmp_path / "notes.md").write_text("# Minutes\n\nnothing\n")
    (tmp_path / "b.md").write_text("| 错误码 | 错误信息 |\n|---|---|\n| OCR.0002 | 图片过大 |\n")
    done = run_cli("kb", "import", str(tmp_path), "--service", "OCR", db_url=db_url)
    assert done.returncode == 1
    assert f"{tmp_path / 'notes.md'}: nothing imported" in done.stderr
    assert "OCR.0001" in run_cli("kb", "list", "--service", "OCR", db_url=db_url).stdout
    assert "OCR.0002" in run_cli("kb", "list", "--service", "ocr", db_url=db_url).stdout


def test_an_export_is_read_back_unchanged_into_another_database(db_url: str, tmp_path: Path) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    added = run_cli(
        "kb", "add", "OCR.0001", "--service", "OCR", "--message", "The image is too large.",
        "--handling", "Send a smaller image.", db_url=db_url,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    edited = run_cli("kb", "edit", "AIS.0027", "--handling", "Ask finance to top up.", db_url=db_url)
    assert edited.returncode == 0 and "Ask finance to top up." in edited.stdout
    export = tmp_path / "kb.jsonl"
    assert run_cli("kb", "export", "-o", str(export), db_url=db_url).returncode == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    run_cli("db", "upgrade", db_url=other)
    back = run_cli("kb", "import", str(export), db_url=other)
    assert back.returncode == 0, back.stderr
    assert run_cli("kb", "export", db_url=other).stdout == export.read_text()


def test_an_export_line_that_is_not_json_stops_the_import_by_name(db_url: str, tmp_path: Path) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    bad = tmp_path / "kb.jsonl"
    bad.write_text(
        '{"format": "hwerror-kb/1", "service": "x", "code": "X.0001", "variant": 0, "message": "m"}\n'
        "not json\n"
    )
    failed = run_cli("kb", "import", str(bad), db_url=db_url)
    assert failed.returncode == 1 and f"{bad} line 2 is not JSON" in failed.stderr
    assert "X.0001" not in run_cli("kb", "list", db_url=db_url).stdout


def test_teaching_is_admin_gated_audited_and_matched_at_once(kb: Engine) -> None:
    from bot.core.actor import Actor, People
    from bot.core.build import AppSettings, build_service
    from bot.core.errors import NotAllowed
    from bot.core.teach import Lesson
    from knowledge.models import AuditEvent

    svc = build_service(kb, AppSettings.from_env(), seen_ttl=None, batch_gaps=False)
    lesson = Lesson("OCR", "OCR.0001", "The image is too large.", handling="Send a smaller image.")
    outsider = Actor("U2", "T1", "bob", admins=People.parse("U1"), workspace="T1")
    admin = Actor("U1", "T1", "alice", admins=People.parse("U1"), workspace="T1")
    with svc.sessions() as session, pytest.raises(NotAllowed):
        svc.teach(session, outsider, lesson)
    with svc.sessions() as session:
        card = svc.teach(session, admin, lesson)
        assert (card.service, card.code, card.entry.handling) == ("ocr", "OCR.0001", "Send a smaller image.")
        edited = svc.edit_handling(session, card.key, admin, "Resize to under 10 MB.")
        assert edited.entry.handling == "Resize to under 10 MB."
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entry_id == card.entry_id)).all()
        assert list(actions) == ["added", "edited"]
