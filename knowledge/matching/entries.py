"""Turn a parsed "Error Codes" page into knowledge entries, without a database.

The store does the same when it imports a page; the matcher's tests, benchmark and stand-alone
runner use this to build a Matcher straight from a page.
"""

from __future__ import annotations

from collections import defaultdict

from knowledge.importer.rows import ParsedPage
from knowledge.types import EntryData


def entries_from_page(page: ParsedPage, service: str, doc_url: str | None = None) -> list[EntryData]:
    """One entry per row; `variant` counts rows with the same code in this page, from 0."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for row in page.rows:
        variant = seen[row.code]
        seen[row.code] += 1
        out.append(
            EntryData(
                service=service,
                code=row.code,
                variant=variant,
                status=row.status,
                message=row.message,
                description=row.description,
                handling=row.handling,
                doc_url=doc_url,
                category=row.category,
            )
        )
    return out


def bundled_entries() -> list[EntryData]:
    """The knowledge that ships with hwerror (the reviewed seed page), as entries."""
    from knowledge.bundled import BUNDLED_FILES, bundled_rows

    entries: list[EntryData] = []
    for name in BUNDLED_FILES:
        service, doc_url, rows = bundled_rows(name)
        entries += entries_from_page(ParsedPage(rows=rows), service, doc_url)
    return entries
