"""OCR lines back in reading order: columns, rows, and lines a terminal or a chat window wrapped.

A region is cut along its widest empty vertical gutter (a sidebar beside an editor, a toast beside
a page) and each side is read in turn (a recursive XY cut); inside a region, boxes whose vertical
extents overlap are one row, read left to right. A long row that reaches the region's right edge in the
middle of a word, followed by a row that starts at its left edge, was wrapped: it is joined to the
next row without a line break (a code cut in two, `AIS.00` / `27`, is whole again), with a space
when the row ends a space's width short of the edge. A row never sticks to the next when either side of
the join is already a whole known code, so `AIS.0027` / `at foo()` stays two words.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.ocr.engine import OcrLine

GUTTER = 2.0  # a column gutter is at least this many line heights wide
MIN_COLUMN = 3  # lines on each side of it
WRAP_WIDTH = 25  # characters: a row shorter than this was not wrapped (a sidebar's longest entry)
# OCR may put a space beside a code's dot (`ModelArts .4102`): still one whole code.
_CODE_END = re.compile(r"([A-Za-z][\w]* ?\. ?\d+)\W*$")
_CODE_START = re.compile(r"^\W*([A-Za-z][\w]* ?\. ?\d+)")

_CUT_END = re.compile(r"[A-Za-z][\w]*(?: ?\. ?\d*)?$")  # `ModelArts.41`, `AIS.`, `AIS`
_CUT_START = re.compile(r"^\.?\d+")  # `04`, `.0005`
_WORDISH = re.compile(r"[\w.]")

Known = Callable[[str], bool]  # is this a code the knowledge base has?


@dataclass(frozen=True)
class Row:
    """One line of the reassembled text, and whether every piece of it was read clearly."""

    text: str
    clear: bool


def reading_order(lines: Sequence[OcrLine], clear: Sequence[bool], known: Known) -> list[Row]:
    if not lines:
        return []
    height = statistics.median(line.height for line in lines) or 1.0
    items = list(zip(lines, clear, strict=True))
    rows: list[Row] = []
    for region in _regions(items, height):
        rows += _rows(region, known)
    return rows


Item = tuple[OcrLine, bool]


def _regions(items: list[Item], height: float) -> list[list[Item]]:
    """Columns, left to right, each cut again if it has columns of its own."""
    spans = sorted((line.box[0], line.box[2]) for line, _ in items)
    reach, cut, widest = spans[0][1], None, GUTTER * height
    for x0, x1 in spans[1:]:
        if x0 - reach >= widest:
            cut, widest = (reach + x0) / 2, x0 - reach
        reach = max(reach, x1)
    if cut is None:
        return [items]
    left = [i for i in items if i[0].box[2] <= cut]
    right = [i for i in items if i[0].box[0] >= cut]
    if min(len(left), len(right)) < MIN_COLUMN:
        return [items]  # a label and its value, a button: one row, not two columns
    return _regions(left, height) + _regions(right, height)


def _rows(items: list[Item], known: Known) -> list[Row]:
    items = sorted(items, key=lambda i: (i[0].box[1] + i[0].box[3]) / 2)
    grouped: list[list[Item]] = []
    for item in items:
        line = item[0]
        mid = (line.box[1] + line.box[3]) / 2
        if grouped:
            last = grouped[-1]
            top, bottom = min(i[0].box[1] for i in last), max(i[0].box[3] for i in last)
            if top <= mid <= bottom:
                last.append(item)
                continue
        grouped.append([item])
    left = min(i[0].box[0] for i in items)
    right = max(i[0].box[2] for i in items)
    char = statistics.median((i[0].box[2] - i[0].box[0]) / max(1, len(i[0].text)) for i in items)
    rows: list[Row] = []
    ends: list[float] = []
    for group in grouped:
        group.sort(key=lambda i: i[0].box[0])
        text = " ".join(i[0].text.strip() for i in group)
        clear = all(i[1] for i in group)
        start, end = group[0][0].box[0], group[-1][0].box[2]
        if rows and start - left <= 1.5 * char:
            glue = _wrap_glue(rows[-1].text, text, right - ends[-1], char, known)
            if glue is not None:
                rows[-1] = Row(rows[-1].text + glue + text, rows[-1].clear and clear)
                ends[-1] = end
                continue
        rows.append(Row(text, clear))
        ends.append(end)
    return rows


def _wrap_glue(before: str, after: str, short_of_edge: float, char: float, known: Known) -> str | None:
    """How a wrapped row joins the next ("" or " "), or None when it was not wrapped: it must be
    long, reach the edge, and break inside a word or a code (`status_code:4` / `00,`, `AIS` / `.0005`),
    not after a closing bracket or before a prompt."""
    if short_of_edge > 1.5 * char or len(before) < WRAP_WIDTH or not after:
        return None
    if not (_WORDISH.match(before[-1]) and _WORDISH.match(after[0])) or before[-1] == after[0] == ".":
        return None
    end, start = _CODE_END.search(before), _CODE_START.match(after)
    if (end and known(end[1])) or (start and known(start[1])):
        return " "
    cut = _CUT_END.search(before), _CUT_START.match(after)
    if cut[0] and cut[1] and known(cut[0][0] + cut[1][0]):
        return ""  # a code cut in two: whole again, however far short of the edge the row ends
    return "" if short_of_edge <= 0.6 * char else " "
