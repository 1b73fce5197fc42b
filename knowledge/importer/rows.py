"""What every page parser produces, and the checks that turn a raw row into an entry."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from knowledge.importer.columns import Field
from knowledge.types import EntryData

# Codes look like AIS.0005, APIG.0201, ModelArts.4101, APIC.9000, DLI.0001, IAM.0001, Ecs.0005,
# CCE_CM.0001, CCE.01400001, DEV.CH.10001, InferHub.001001005.400; IAM also answers bare numbers
# (1100) and OBS words (NoSuchBucket, AccessDenied). "Others" / "其他" is a catch-all row, not a code.
CODE_RE = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9_]{1,24}(?:[.\-][A-Za-z0-9_]{1,16}){1,3}"
    r"|[0-9]{4,10}"
    r"|[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)$"
)
_CATCH_ALL = frozenset({"others", "other", "其他", "其它"})
STATUS_RE = re.compile(r"[0-9]{3}")  # a status cell, whole (fullmatch): three digits


class NotAnErrorPage(ValueError):
    """The file holds no error-code table that we can read."""


@dataclass
class RawRow:
    """One table row: a cell per mapped field, and where it was in the source."""

    cells: dict[Field, str]
    where: str


@dataclass
class ParsedRow:
    code: str
    status: int | None
    message: str
    description: str
    handling: str
    category: str | None


@dataclass
class SkippedRow:
    where: str
    reason: str


@dataclass
class ParsedPage:
    rows: list[ParsedRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Collapse runs of blanks inside lines, keep paragraph breaks, drop stray whitespace."""
    paragraphs = [re.sub(r"[ \t\u00a0]+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    lines = ["\n".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs]
    return "\n\n".join(p for p in lines if p)


def _code_like(code: str) -> bool:
    """A digit somewhere (AIS.0005, 1100), or an OBS word code (NoSuchBucket)."""
    return any(c.isdigit() for c in code) or ("." not in code and "-" not in code)


def check_row(raw: RawRow) -> ParsedRow | SkippedRow:
    code = clean_text(raw.cells.get(Field.CODE, ""))
    if not code:
        return SkippedRow(raw.where, "no error code")
    if code.lower() in _CATCH_ALL or not CODE_RE.match(code) or not _code_like(code):
        return SkippedRow(raw.where, f"{code[:40]!r} is not an error code")
    status_text = clean_text(raw.cells.get(Field.STATUS, ""))
    status: int | None = None
    if status_text:
        if not STATUS_RE.fullmatch(status_text):
            return SkippedRow(raw.where, f"{code}: status {status_text[:20]!r} is not an HTTP status")
        status = int(status_text)
    message = clean_text(raw.cells.get(Field.MESSAGE, ""))
    description = clean_text(raw.cells.get(Field.DESCRIPTION, ""))
    handling = clean_text(raw.cells.get(Field.HANDLING, ""))
    if not (message or description):
        return SkippedRow(raw.where, f"{code}: no error message or description")
    category = clean_text(raw.cells.get(Field.CATEGORY, "")) or None
    return ParsedRow(
        code=code,
        status=status,
        message=message or description,
        description=description or message,
        handling=handling,
        category=category,
    )


def build_page(raw_rows: list[RawRow]) -> ParsedPage:
    page = ParsedPage()
    for raw in raw_rows:
        result = check_row(raw)
        if isinstance(result, ParsedRow):
            page.rows.append(result)
        else:
            page.skipped.append(result)
    return page


def entries_from_rows(rows: list[ParsedRow], service: str, doc_url: str | None = None) -> list[EntryData]:
    """One entry per row. Rows that share a code are numbered in page order: APIG.0201's seven
    rows are variants 0..6."""
    seen: Counter[str] = Counter()
    out = []
    for row in rows:
        out.append(
            EntryData(
                service=service,
                code=row.code,
                variant=seen[row.code],
                status=row.status,
                message=row.message,
                description=row.description,
                handling=row.handling,
                doc_url=doc_url,
                category=row.category,
            )
        )
        seen[row.code] += 1
    return out
