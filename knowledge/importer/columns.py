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
    Field.STATUS: (
        "status code",
        "http status code",
        "http status",
        "http code",
        "status",
        "状态码",
        "http状态码",
        "http 状态码",
    ),
    Field.CODE: ("error code", "error codes", "code", "错误码", "错误代码"),
    Field.MESSAGE: (
        "error",
        "error message",
        "error information",
        "message",
        "error info",
        "error msg",
        "错误信息",
        "错误消息",
        "错误提示",
    ),
    Field.DESCRIPTION: (
        "description",
        "error description",
        "meaning",
        "cause",
        "描述",
        "错误描述",
        "说明",
        "原因",
    ),
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
        "处理措施",
        "处理方法",
        "解决方法",
        "解决方案",
        "建议解决方法",
        "处理建议",
    ),
    Field.CATEGORY: ("category", "type", "error type", "module", "模块", "类别", "错误类型"),
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
