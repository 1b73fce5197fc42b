"""Map the header cells of an "Error Codes" table to our fields.

Huawei Cloud pages (and the Open Telekom Cloud exports of them) name the same column in several
ways; the synonyms below are the ones seen on real pages.
"""

from __future__ import annotations

import enum
import re


class Field(enum.StrEnum):
    STATUS = "status"
    CODE = "code"
    MESSAGE = "message"
    DESCRIPTION = "description"
    HANDLING = "handling"
    CATEGORY = "category"


_SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.STATUS: ("status code", "http status code", "http status", "http code", "status"),
    Field.CODE: ("error code", "error codes", "code"),
    Field.MESSAGE: ("error", "error message", "error information", "message", "error info", "error msg"),
    Field.DESCRIPTION: ("description", "error description", "meaning", "cause"),
    Field.HANDLING: (
        "handling measure",
        "handling measures",
        "solution",
        "solutions",
        "corrective action",
        "corrective actions",
        "handling suggestion",
        "measure",
        "remedy",
    ),
    Field.CATEGORY: ("category", "type", "error type", "module"),
}

_LOOKUP = {syn: field for field, syns in _SYNONYMS.items() for syn in syns}


def normalise_header(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(":").lower()


def field_for_header(text: str) -> Field | None:
    return _LOOKUP.get(normalise_header(text))


def map_header(cells: list[str]) -> list[Field | None] | None:
    """The field of each header cell, or None when the cells are not an error-code table header.

    A header must name a code column and at least one text column; unknown extra columns map to
    None and are ignored.
    """
    fields = [field_for_header(c) for c in cells]
    known = [f for f in fields if f is not None]
    if Field.CODE not in known or len(set(known)) != len(known):
        return None
    if not ({Field.MESSAGE, Field.DESCRIPTION, Field.HANDLING} & set(known)):
        return None
    return fields
