"""The knowledge that ships with hwerror, as entries, without a database.

The matcher's tests and its stand-alone runner build a Matcher from these: the rows that
`hwerror db upgrade` seeds the database with (knowledge.bundled), made into entries the way the
store makes them (entries_from_rows).
"""

from __future__ import annotations

from knowledge.importer.rows import entries_from_rows
from knowledge.types import EntryData


def bundled_entries() -> list[EntryData]:
    """The knowledge that ships with hwerror (the reviewed seed page), as entries."""
    from knowledge.bundled import BUNDLED_FILES, bundled_rows

    entries: list[EntryData] = []
    for name in BUNDLED_FILES:
        service, doc_url, rows = bundled_rows(name)
        entries += entries_from_rows(rows, service, doc_url)
    return entries
