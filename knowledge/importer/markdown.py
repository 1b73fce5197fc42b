"""Markdown "Error Codes" pages, as Huawei keeps its docs in public repositories
(`huaweicloudDocs/<service>`): tables are pipe tables, or embedded HTML (`<table>` with `rowspan`),
which the HTML reader takes. Headers may be Chinese (状态码 / 错误码 / 错误信息 / 描述 / 处理措施).
"""

from __future__ import annotations

import re

from knowledge.importer.columns import Field, map_header
from knowledge.importer.html import Cell, SourceRow, build_tables, parse_html, row_label
from knowledge.importer.rows import NotAnErrorPage, ParsedPage

_TABLE_TAG = re.compile(r"<table[\s>]", re.IGNORECASE)
_DELIMITER = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    parts = re.split(r"(?<!\\)\|", line)
    return [_inline(p) for p in parts]


def _inline(cell: str) -> str:
    cell = _BR.sub("\n", cell.replace("\\|", "|"))
    cell = _LINK.sub(r"\1", cell)
    cell = _EMPHASIS.sub("", _TAG.sub("", cell))
    return cell.replace("&nbsp;", " ").strip()


def _pipe_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    lines = text.splitlines()
    tables = []
    i = 0
    while i + 1 < len(lines):
        if "|" in lines[i] and _DELIMITER.match(lines[i + 1].strip()):
            header = _cells(lines[i])
            body = []
            j = i + 2
            while j < len(lines) and "|" in lines[j] and lines[j].strip():
                body.append(_cells(lines[j]))
                j += 1
            tables.append((header, body))
            i = j
        else:
            i += 1
    return tables


def parse_markdown(text: str) -> ParsedPage:
    if _TABLE_TAG.search(text):
        return parse_html(text)
    found = _pipe_tables(text)
    if not found:
        raise NotAnErrorPage("no table in the Markdown page (neither a pipe table nor <table>)")
    tables: list[tuple[list[Field | None], list[SourceRow]]] = []
    for header, body in found:
        fields = map_header(header)
        if fields is not None:
            tables.append((fields, body_rows(body, len(tables) + 1)))
    if not tables:
        raise NotAnErrorPage(
            f"none of the {len(found)} tables has an error-code header (Error Code / 错误码 with "
            "Error Message / Description / Solution …)"
        )
    for n, (_, rows) in enumerate(tables, 1):
        for k, row in enumerate(rows, 1):
            row.where = row_label(n, k, len(tables))
    page = build_tables(tables)
    if not page.rows and not page.skipped:
        raise NotAnErrorPage("the error-code table has no rows")
    return page


def body_rows(body: list[list[str]], table: int) -> list[SourceRow]:
    return [
        SourceRow([Cell(v) for v in values], f"table {table}, row {k}") for k, values in enumerate(body, 1)
    ]
