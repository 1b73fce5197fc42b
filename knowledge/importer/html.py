"""The HTML form of an "Error Codes" page, and the table-to-rows steps the RST reader shares.

Cells are turned into the same plain text the other readers give: paragraphs separated by a blank
line, list items one per line ("- " or "1. "), no markup. Spanned cells are laid out on a grid
first, so a rowspan cell repeats its value into the rows below and every row has one value per
header column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from knowledge.importer.columns import Field, map_header
from knowledge.importer.rows import NotAnErrorPage, ParsedPage, RawRow, SkippedRow, build_page

# --- shared by the HTML and RST readers -------------------------------------------------------


@dataclass
class Cell:
    """One source cell: its text and how many grid rows/columns it covers."""

    text: str
    rows: int = 1
    cols: int = 1


@dataclass
class SourceRow:
    """One body row as written in the source, before spans are laid out."""

    cells: list[Cell]
    where: str


_SPACES = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Inline whitespace (source line wraps included) is one space, as a browser shows it."""
    return _SPACES.sub(" ", text)


def join_blocks(blocks: list[str]) -> str:
    return "\n\n".join(b.strip() for b in blocks if b.strip())


_ALPHA = "abcdefghijklmnopqrstuvwxyz"
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def list_marker(number: int | None, style: str = "arabic") -> str:
    """The prefix of a list item: "- " for bullets, "1. " / "a. " / "iv. " for numbered items."""
    if number is None:
        return "- "
    if style in ("loweralpha", "upperalpha") and 1 <= number <= len(_ALPHA):
        letter = _ALPHA[number - 1]
        return f"{letter.upper() if style == 'upperalpha' else letter}. "
    if style in ("lowerroman", "upperroman") and number > 0:
        roman = _roman(number)
        return f"{roman.upper() if style == 'upperroman' else roman}. "
    return f"{number}. "


def list_block(items: list[list[str]], ordered: bool, start: int = 1, style: str = "arabic") -> str:
    """A list as one paragraph: each item on its own line, an item's later paragraphs (and nested
    lists) on the lines below it. Blank lines would make clean_text split the list apart."""
    lines: list[str] = []
    for offset, blocks in enumerate(items):
        item_lines = [ln.strip() for b in blocks for ln in b.splitlines() if ln.strip()]
        marker = list_marker(start + offset if ordered else None, style)
        lines.append(marker + (item_lines[0] if item_lines else ""))
        lines.extend(item_lines[1:])
    return "\n".join(lines)


def lay_out(rows: list[SourceRow]) -> Iterator[tuple[SourceRow, list[str]]]:
    """Place each row's cells on the column grid: a cell spanning rows repeats its value into the
    rows below; a cell spanning columns fills the first and leaves the others empty (check_row
    already falls back from message to description and back, so copying it would add nothing)."""
    pending: dict[int, tuple[str, int]] = {}  # column -> (value, rows still to fill)

    def take(col: int, line: list[str]) -> None:
        value, left = pending.pop(col)
        line.append(value)
        if left > 1:
            pending[col] = (value, left - 1)

    for row in rows:
        line: list[str] = []
        for cell in row.cells:
            while len(line) in pending:
                take(len(line), line)
            for k in range(max(cell.cols, 1)):
                value = cell.text if k == 0 else ""
                if cell.rows > 1:
                    pending[len(line)] = (value, cell.rows - 1)
                line.append(value)
        while len(line) in pending:
            take(len(line), line)
        # A span reaching past a short row must not leak into the next row unconsumed forever.
        for col in [c for c in pending if c > len(line)]:
            value, left = pending.pop(col)
            if left > 1:
                pending[col] = (value, left - 1)
        yield row, line


def table_rows(
    header: list[Field | None], rows: list[SourceRow]
) -> tuple[list[RawRow], list[tuple[int, SkippedRow]]]:
    """RawRows for the well-formed rows, and (position, SkippedRow) for the rest."""
    raw: list[RawRow] = []
    skipped: list[tuple[int, SkippedRow]] = []
    for position, (row, values) in enumerate(lay_out(rows)):
        if not any(v.strip() for v in values):
            continue  # layout spacer rows carry no entry
        if len(values) > 1 and map_header(values) == header:
            continue  # long tables repeat their header part-way down
        if len(values) != len(header):
            reason = f"{len(values)} cells where the header has {len(header)}"
            skipped.append((position, SkippedRow(row.where, reason)))
            continue
        cells = {f: v for f, v in zip(header, values, strict=True) if f is not None}
        raw.append(RawRow(cells=cells, where=row.where))
    return raw, skipped


def build_tables(tables: list[tuple[list[Field | None], list[SourceRow]]]) -> ParsedPage:
    """One page from every error-code table on it, skipped rows reported in source order."""
    order: dict[str, float] = {}
    raw_rows: list[RawRow] = []
    shape_skips: list[tuple[float, SkippedRow]] = []
    base = 0
    for header, rows in tables:
        raw, skipped = table_rows(header, rows)
        for n, row in enumerate(rows):
            order[row.where] = base + n
        raw_rows.extend(raw)
        shape_skips.extend((base + pos, s) for pos, s in skipped)
        base += len(rows)
    page = build_page(raw_rows)
    checked = [(order.get(s.where, base), s) for s in page.skipped]
    page.skipped = [s for _, s in sorted(shape_skips + checked, key=lambda pair: pair[0])]
    return page


def row_label(table: int, row: int, tables: int) -> str:
    return f"row {row}" if tables == 1 else f"table {table}, row {row}"


# --- HTML -------------------------------------------------------------------------------------

# Never visible on a page, so never part of a cell's text.
_INVISIBLE = {"script", "style", "template", "noscript", "head", "title", "meta", "link", "button"}
_BLOCK = {
    "p", "div", "section", "article", "aside", "header", "footer", "blockquote", "address",
    "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "figure", "figcaption", "table",
    "tr", "caption", "hr", "details", "summary", "center", "form", "fieldset",
}  # fmt: skip
_OL_TYPES = {"a": "loweralpha", "A": "upperalpha", "i": "lowerroman", "I": "upperroman"}


class _Blocks:
    """Collects a cell's paragraphs; inline text accumulates until a block element ends it."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.inline: list[str] = []

    def flush(self) -> None:
        text = "\n".join(line.strip() for line in "".join(self.inline).split("\n"))
        if text.strip():
            self.blocks.append(text.strip())
        self.inline = []

    def add_block(self, text: str) -> None:
        self.flush()
        if text.strip():
            self.blocks.append(text)


def _ol_style(tag: Tag) -> str:
    classes: list[str] = list(tag.get_attribute_list("class"))
    for style in ("loweralpha", "upperalpha", "lowerroman", "upperroman"):
        if style in classes:
            return style
    return _OL_TYPES.get(str(tag.get("type", "1")), "arabic")


def _int_attr(tag: Tag, name: str, default: int) -> int:
    try:
        value = tag.get(name)
        return default if value is None else max(int(str(value).strip()), 0)
    except ValueError:
        return default


# Elements that html.parser nests inside their predecessor when the optional end tag is left
# out (<td>a<td>b, <li>x<li>y): inside a cell or item they are siblings, not content.
_CELL_SIBLINGS = frozenset({"td", "th", "tr"})


def _html_list(tag: Tag, siblings: frozenset[str]) -> str:
    ordered = tag.name == "ol"
    items = [
        element_blocks(li, siblings | {"li"})
        for li in tag.find_all("li")
        if li.find_parent(["ul", "ol"]) is tag
    ]
    return list_block(items, ordered, _int_attr(tag, "start", 1), _ol_style(tag) if ordered else "arabic")


def _walk(node: Tag, out: _Blocks, siblings: frozenset[str]) -> None:
    """Add node's content to out, leaving out `siblings` children (see _CELL_SIBLINGS)."""
    for child in node.children:
        if isinstance(child, Comment) or (
            isinstance(child, NavigableString) and type(child) is not NavigableString
        ):
            continue  # comments, CDATA, doctype, processing instructions
        if isinstance(child, NavigableString):
            out.inline.append(collapse(str(child)))
            continue
        if not isinstance(child, Tag) or child.name in _INVISIBLE or child.get("hidden") is not None:
            continue
        if child.name in siblings:
            continue
        if child.name == "br":
            out.inline.append("\n")
        elif child.name in ("ul", "ol"):
            out.add_block(_html_list(child, siblings))
        elif child.name == "pre":
            out.add_block("\n".join(ln.strip() for ln in child.get_text().splitlines()))
        elif child.name in _BLOCK or child.name in ("li", "td", "th"):
            out.flush()
            # A table nested in a cell has rows and cells of its own, and they are all content.
            _walk(child, out, frozenset() if child.name == "table" else siblings)
            out.flush()
        else:
            _walk(child, out, siblings)


def element_blocks(tag: Tag, siblings: frozenset[str]) -> list[str]:
    out = _Blocks()
    _walk(tag, out, siblings)
    out.flush()
    return out.blocks


def cell_text(tag: Tag) -> str:
    return join_blocks(element_blocks(tag, _CELL_SIBLINGS))


def _own_rows(table: Tag) -> list[Tag]:
    """The table's rows, leaving out those of tables nested in its cells."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


# The HTML standard's own caps; a hostile colspan="99999999" must not build a huge row.
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534


def _row_cells(tr: Tag) -> list[Cell]:
    return [
        Cell(
            cell_text(td),
            # rowspan="0" means "to the end of the table" in HTML; one row is the safe reading.
            rows=min(_int_attr(td, "rowspan", 1), _MAX_ROWSPAN) or 1,
            cols=min(_int_attr(td, "colspan", 1), _MAX_COLSPAN) or 1,
        )
        # Not just direct children: with end tags left out, html.parser nests each cell in the last.
        for td in tr.find_all(["td", "th"])
        if td.find_parent("tr") is tr
    ]


def _header_cells(tr: Tag) -> list[str]:
    """Header texts one per grid column: a header spanning two columns names only the first."""
    texts: list[str] = []
    for cell in _row_cells(tr):
        texts.append(cell.text)
        texts.extend([""] * (cell.cols - 1))
    return texts


def _find_header(rows: list[Tag]) -> tuple[int, list[Field | None]] | None:
    # A caption-like first row ("Table 1 Error codes" across all columns) may sit above the header.
    for index, tr in enumerate(rows[:3]):
        fields = map_header(_header_cells(tr))
        if fields is not None:
            return index, fields
    return None


def parse_html(text: str) -> ParsedPage:
    soup = BeautifulSoup(text, "html.parser")
    all_tables = soup.find_all("table")
    if not all_tables:
        raise NotAnErrorPage("no <table> in the HTML page")
    found: list[tuple[list[Field | None], list[Tag]]] = []
    matched: list[Tag] = []
    for table in all_tables:
        # A table inside a matched table's cell is part of that cell's text, not more rows.
        if any(parent is m for parent in table.parents for m in matched):
            continue
        rows = _own_rows(table)
        header = _find_header(rows)
        if header is not None:
            index, fields = header
            matched.append(table)
            # Further <thead> rows are sub-headings, not entries.
            found.append((fields, [tr for tr in rows[index + 1 :] if tr.find_parent("thead") is None]))
    if not found:
        raise NotAnErrorPage(
            f"none of the {len(all_tables)} tables has an error-code header "
            "(Error Code with Error Message / Description / Solution …)"
        )
    tables = [
        (fields, [SourceRow(_row_cells(tr), row_label(t, n, len(found))) for n, tr in enumerate(body, 1)])
        for t, (fields, body) in enumerate(found, 1)
    ]
    if not any(rows for _, rows in tables):
        raise NotAnErrorPage("the error-code table has no rows")
    return build_tables(tables)
