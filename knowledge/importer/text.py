"""The plain-text form of an "Error Codes" page: what a browser gives on select-all and copy.

Every table cell is a paragraph of its own (blank lines between), so the table reads as the
header cells, then per row a status line, a code line and the text cells. A text cell may itself
hold several paragraphs (APIG.0301's numbered list), which is why rows are found by their leading
status/code cells rather than by counting paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.importer.columns import Field, field_for_header, map_header
from knowledge.importer.rows import NotAnErrorPage, ParsedPage, RawRow, build_page

_FOOTER = re.compile(r"^(We use cookies|Feedback$|Selected Content$|Submit selected content)", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,2})[.)]\s")
_TOKEN = re.compile(r"^\S{1,60}$")
# Looser than a valid status on purpose: a row whose status is "4xx" must still start a row
# (and be reported as broken) rather than be glued onto the previous row's last cell.
_STATUS_LIKE = re.compile(r"^[0-9][0-9A-Za-z]{0,5}$")


@dataclass
class _Paragraph:
    text: str
    line: int


def _paragraphs(text: str) -> list[_Paragraph]:
    out: list[_Paragraph] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            out.append(_Paragraph("\n".join(current), start))
            current = []
    if current:
        out.append(_Paragraph("\n".join(current), start))
    return out


def _find_header(paras: list[_Paragraph]) -> tuple[int, list[Field]] | None:
    i = 0
    while i < len(paras):
        j = i
        while j < len(paras) and "\n" not in paras[j].text and field_for_header(paras[j].text) is not None:
            j += 1
        if j - i >= 3:
            fields = map_header([p.text for p in paras[i:j]])
            if fields is not None:
                return j, [f for f in fields if f is not None]
        i = max(j, i + 1)
    return None


def _is_atomic(field: Field, text: str) -> bool:
    if "\n" in text:
        return False
    if field is Field.STATUS:
        return bool(_STATUS_LIKE.match(text))
    return bool(_TOKEN.match(text))


def _blocks(paras: list[_Paragraph]) -> list[str]:
    """Group paragraphs into cells: "2. …" continues the cell whose last paragraph was "1. …"."""
    blocks: list[list[str]] = []
    last_number = 0
    for p in paras:
        m = _NUMBERED.match(p.text)
        number = int(m.group(1)) if m else 0
        if blocks and number > 1 and number == last_number + 1:
            blocks[-1].append(p.text)
        else:
            blocks.append([p.text])
        last_number = number
    return ["\n\n".join(b) for b in blocks]


def parse_text(text: str) -> ParsedPage:
    paras = _paragraphs(text)
    found = _find_header(paras)
    if found is None:
        raise NotAnErrorPage("no error-code table header (Status Code / Error Code / Error / …) found")
    body_start, fields = found
    leading = []
    for f in fields:
        if f in (Field.STATUS, Field.CODE):
            leading.append(f)
        else:
            break
    if Field.CODE not in leading:
        raise NotAnErrorPage("the table's code column must come before its text columns in plain-text pages")
    text_fields = fields[len(leading) :]

    body = paras[body_start:]
    end = next((k for k, p in enumerate(body) if _FOOTER.match(p.text)), len(body))
    body = body[:end]

    def row_starts_at(k: int) -> bool:
        return k + len(leading) <= len(body) and all(
            _is_atomic(f, body[k + n].text) for n, f in enumerate(leading)
        )

    starts = [k for k in range(len(body)) if row_starts_at(k)]
    # A status line inside a cell ("400") followed by a one-word paragraph is rare but possible;
    # a start is only real when the previous row had room for its text cells.
    raw_rows: list[RawRow] = []
    for n, k in enumerate(starts):
        nxt = starts[n + 1] if n + 1 < len(starts) else len(body)
        if nxt - k < len(leading):
            continue
        cells: dict[Field, str] = {f: body[k + i].text for i, f in enumerate(leading)}
        blocks = _blocks(body[k + len(leading) : nxt])
        if text_fields:
            head, last = text_fields[:-1], text_fields[-1]
            for f, b in zip(head, blocks, strict=False):
                cells[f] = b
            cells[last] = "\n\n".join(blocks[len(head) :])
        raw_rows.append(RawRow(cells=cells, where=f"line {body[k].line}"))
    if not raw_rows:
        raise NotAnErrorPage("the error-code table has no rows")
    return build_page(raw_rows)
