"""What a setting accepts, in words, for the one line a bad environment value gets.

pydantic says "Input should be a valid integer, unable to parse string as an integer" and names
the field; a person wants the variable and what to write instead: "must be a whole number from 1
to 65535 (got 'abc')". The words come from the field's own type and constraints, so a new
setting is described without touching this module.
"""

from __future__ import annotations

import typing
from datetime import timedelta
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings

DURATION = "a duration such as 30m, 24h or 7d"


def _bounds(metadata: list[Any]) -> tuple[Any, Any]:
    low = high = None
    for m in metadata:
        low = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else low
        high = getattr(m, "le", None) if getattr(m, "le", None) is not None else high
        if getattr(m, "gt", None) is not None:
            low = f"more than {m.gt}"
    return low, high


def _number(kind: str, metadata: list[Any]) -> str:
    low, high = _bounds(metadata)
    if isinstance(low, str):
        return f"{kind} {low}" + (f" and at most {high}" if high is not None else "")
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}"
    if low is not None:
        return f"{kind} of at least {low}"
    if high is not None:
        return f"{kind} of at most {high}"
    return kind


def _secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def accepts(cls: type[BaseSettings], name: str, error: Any) -> str:
    """ " must be …" (or ": what the validator said") for one pydantic error of field `name`."""
    field = cls.model_fields.get(name)
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    if field is None:
        return message
    annotation = field.annotation
    args = set(typing.get_args(annotation)) | {annotation}
    got = "" if _secret(annotation) else f" (got {error.get('input')!r})"
    if error.get("type") == "value_error":
        return f": {message}"
    if int in args and bool not in args:
        return f" must be {_number('a whole number', field.metadata)}{got}"
    if float in args:
        return f" must be {_number('a number', field.metadata)}{got}"
    if timedelta in args:
        return f" must be {DURATION}{got}"
    if bool in args:
        return f" must be true or false{got}"
    expected = error.get("ctx", {}).get("expected")
    if expected:
        return f" must be one of {expected.replace(chr(39), '')}{got}"
    return f": {message}"
