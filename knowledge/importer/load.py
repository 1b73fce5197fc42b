"""Read a page file from disk and import it: the one way a page file is read, whether the CLI
imports it or the matcher's runner and benchmark build entries from it without a database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.importer.rows import NotAnErrorPage, ParsedPage

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from knowledge.store import ImportReport

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


def read_url(url: str) -> ParsedPage:
    from urllib.parse import urlparse

    from knowledge.importer.fetch import fetch_text
    from knowledge.importer.formats import parse_page

    text = fetch_text(url, max_bytes=MAX_PAGE_BYTES)
    try:
        return parse_page(text, urlparse(url).path.rsplit("/", 1)[-1] or None)
    except NotAnErrorPage as exc:
        raise NotAnErrorPage(f"{url}: {exc}") from exc


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def import_page(
    session: Session, source: Path | str, *, service: str, doc_url: str | None, actor: str
) -> ImportReport:
    """One page (a file or an http(s) URL) into `service`; the caller's transaction is the page's."""
    # The store (and SQLAlchemy) only here: reading a page, as the matcher's runner and benchmark
    # do, needs no database.
    from knowledge.store import record_service, upsert_rows

    page = read_url(source) if isinstance(source, str) and is_url(source) else read_page(Path(source))
    if isinstance(source, str) and is_url(source) and doc_url is None:
        doc_url = source  # the page a card links to is the one it came from
    report = upsert_rows(
        session, page.rows, service=service, doc_url=doc_url, actor=actor, skipped=page.skipped
    )
    record_service(session, service, source=str(source))
    return report
