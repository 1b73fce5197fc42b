"""Turn a parsed "Error Codes" page into knowledge entries, without a database.

The store does the same when it imports a page; the matcher's tests, benchmark and stand-alone
runner use this to build a Matcher straight from a page.
"""

from __future__ import annotations

from knowledge.importer.rows import ParsedPage, entries_from_rows
from knowledge.types import EntryData


def entries_from_page(page: ParsedPage, service: str, doc_url: str | None = None) -> list[EntryData]:
    """One entry per row; `variant` counts rows with the same code in this page, from 0."""
    return entries_from_rows(page.rows, service, doc_url)


def bundled_entries() -> list[EntryData]:
    """The knowledge that ships with hwerror (the reviewed seed page), as entries."""
    from knowledge.bundled import BUNDLED_FILES, bundled_rows

    entries: list[EntryData] = []
    for name in BUNDLED_FILES:
        service, doc_url, rows = bundled_rows(name)
        entries += entries_from_page(ParsedPage(rows=rows), service, doc_url)
    return entries
