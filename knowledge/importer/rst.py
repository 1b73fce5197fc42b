"""The reStructuredText source of an "Error Codes" page (the Open Telekom Cloud doc exports).

docutils parses the whole document, so grid tables, simple tables and list-tables all arrive as
the same `table` nodes, and cell markup (bold, lists, several paragraphs) is already structured.
The 1.2 MB ModelArts page parses in well under a second, so no hand-written grid reader is needed.
Cells become the same text the HTML reader gives for docutils' HTML rendering of the page.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.core import publish_doctree

from knowledge.importer.columns import Field, map_header
from knowledge.importer.html import (
    Cell,
    SourceRow,
    build_tables,
    collapse,
    join_blocks,
    list_block,
    row_label,
)
from knowledge.importer.rows import NotAnErrorPage, ParsedPage

_SETTINGS: dict[str, Any] = {
    # Report nothing and never halt: a broken directive elsewhere on the page must neither print to
    # stderr nor stop us from reading the table.
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": False,
    "traceback": True,
    # Pages come from outside: no `.. include::` / `.. raw::` reading local files or URLs, and no
    # docutils.conf from the working directory changing behaviour.
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    # Table rows of the real pages run to ~700 characters; the default limit (10 000) is kept
    # well clear of.
    "line_length_limit": 100_000,
}

# Nodes that never show as text on a rendered page.
_INVISIBLE = (
    nodes.system_message,
    nodes.comment,
    nodes.target,
    nodes.substitution_definition,
    nodes.raw,
    nodes.pending,
)


def _inline(node: nodes.Node) -> str:
    if isinstance(node, nodes.Text):
        # astext() drops the NUL marks docutils keeps where the source had backslash escapes.
        return collapse(node.astext())
    if isinstance(node, _INVISIBLE):
        return ""
    return "".join(_inline(child) for child in node.children)


def _list(node: nodes.Element) -> str:
    ordered = isinstance(node, nodes.enumerated_list)
    items = [_blocks(item) for item in node.children if isinstance(item, nodes.list_item)]
    start = int(node.get("start", 1)) if ordered else 1
    return list_block(items, ordered, start, str(node.get("enumtype", "arabic")))


def _blocks(node: nodes.Element) -> list[str]:
    """The paragraphs of a body element, in order."""
    out: list[str] = []
    for child in node.children:
        if isinstance(child, _INVISIBLE):
            continue
        if isinstance(child, (nodes.bullet_list, nodes.enumerated_list)):
            out.append(_list(child))
        elif isinstance(child, nodes.line_block):
            out.append("\n".join(_inline(line).strip() for line in child.findall(nodes.line)))
        elif isinstance(child, (nodes.literal_block, nodes.doctest_block)):
            out.append("\n".join(ln.strip() for ln in child.astext().splitlines()))
        elif isinstance(child, (nodes.TextElement, nodes.Text)):
            out.append(_inline(child).strip())
        elif isinstance(child, nodes.Element):
            out.extend(_blocks(child))
    return [b for b in out if b]


def _cell(entry: nodes.Element) -> Cell:
    return Cell(
        join_blocks(_blocks(entry)),
        rows=int(entry.get("morerows", 0)) + 1,
        cols=int(entry.get("morecols", 0)) + 1,
    )


def _header(tgroup: nodes.Element) -> list[Field | None] | None:
    for thead in tgroup.findall(nodes.thead):
        for row in thead.findall(nodes.row):
            texts: list[str] = []
            for cell in (_cell(e) for e in row.children if isinstance(e, nodes.entry)):
                texts.append(cell.text)
                texts.extend([""] * (cell.cols - 1))
            fields = map_header(texts)
            if fields is not None:
                return fields
    return None


def _first_line(row: nodes.Element) -> int | None:
    """The row's first source line, from its first paragraph (docutils puts no line on rows)."""
    for node in row.findall(nodes.Element):
        if node.line:
            return int(node.line)
    return None


def _source_rows(tgroup: nodes.Element, table: int, tables: int) -> list[SourceRow]:
    body = next(iter(tgroup.findall(nodes.tbody)), None)
    if body is None:
        return []
    rows: list[SourceRow] = []
    for n, row in enumerate((r for r in body.children if isinstance(r, nodes.row)), 1):
        line = _first_line(row)
        where = row_label(table, n, tables) + (f" (line {line})" if line else "")
        rows.append(SourceRow([_cell(e) for e in row.children if isinstance(e, nodes.entry)], where))
    return rows


def _tgroups(doctree: nodes.document) -> list[tuple[list[Field | None], nodes.Element]]:
    """Each tgroup with an error-code header, skipping tables nested in one already taken."""
    found: list[tuple[list[Field | None], nodes.Element]] = []
    for tgroup in doctree.findall(nodes.tgroup):
        if any(_inside(tgroup, taken) for _, taken in found):
            continue
        header = _header(tgroup)
        if header is not None:
            found.append((header, tgroup))
    return found


def _inside(node: nodes.Node, ancestor: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def _malformed_note(doctree: nodes.document) -> str:
    """Say so when docutils saw a table but could not read it: a ragged border is an easy slip."""
    for message in doctree.findall(nodes.system_message):
        if "malformed table" in message.astext().lower():
            line = message.get("line")
            return f" (a malformed table{f' at line {line}' if line else ''}: borders must line up)"
    return ""


def parse_rst(text: str) -> ParsedPage:
    doctree = publish_doctree(text, settings_overrides=_SETTINGS)
    if next(iter(doctree.findall(nodes.table)), None) is None:
        raise NotAnErrorPage("no table in the RST page" + _malformed_note(doctree))
    found = _tgroups(doctree)
    if not found:
        raise NotAnErrorPage(
            "no table in the RST page has an error-code header "
            "(Error Code with Error Message / Description / Solution …)"
        )
    tables = [(fields, _source_rows(tg, t, len(found))) for t, (fields, tg) in enumerate(found, 1)]
    if not any(rows for _, rows in tables):
        raise NotAnErrorPage("the error-code table has no rows")
    return build_tables(tables)
