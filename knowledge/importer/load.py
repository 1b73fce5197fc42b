"""Read a page file from disk and import it: the one entry point the CLI and tests use."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from knowledge.importer.rows import NotAnErrorPage, ParsedPage
from knowledge.store import ImportReport, upsert_rows

MAX_PAGE_BYTES = 20 * 1024 * 1024


def read_page(path: Path) -> ParsedPage:
    from knowledge.importer.formats import parse_page

    if not path.is_file():
        raise NotAnErrorPage(f"{path} is not a file")
    raw = path.read_bytes()
    if len(raw) > MAX_PAGE_BYTES:
        raise NotAnErrorPage(f"{path} is {len(raw)} bytes; pages over {MAX_PAGE_BYTES} bytes are refused")
    if b"\x00" in raw[:8192]:
        raise NotAnErrorPage(f"{path} is a binary file, not an error-code page")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotAnErrorPage(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return parse_page(text, path.name)


def import_page(
    session: Session, path: Path, *, service: str, doc_url: str | None, actor: str
) -> ImportReport:
    page = read_page(path)
    return upsert_rows(
        session, page.rows, service=service, doc_url=doc_url, actor=actor, skipped=page.skipped
    )
