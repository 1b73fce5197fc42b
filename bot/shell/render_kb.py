"""Rich renderers for the knowledge base's own listings (`hwerror kb services`)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.markup import escape
from rich.table import Table


def services_table(rows: Iterable[tuple[str, str, int, int, str | None]]) -> Table:
    """(slug, display name, entries, distinct codes, source) per service."""
    table = Table(show_lines=False)
    table.add_column("Service", no_wrap=True, style="bold")
    table.add_column("Name")
    table.add_column("Entries", justify="right")
    table.add_column("Codes", justify="right")
    table.add_column("Source", overflow="fold")
    for slug, name, entries, codes, source in rows:
        table.add_row(escape(slug), escape(name), str(entries), str(codes), escape(source or "-"))
    return table
