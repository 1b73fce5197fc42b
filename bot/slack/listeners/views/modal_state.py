"""What a submitted modal carries: its fields' values and the private_metadata we wrote."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.blocks.ids import FIELD_INPUT


def field_value(view: dict[str, Any], block_id: str) -> str:
    """A text input's value, or a select's chosen option's ("" when none)."""
    values = view.get("state", {}).get("values", {}).get(block_id, {}).get(FIELD_INPUT) or {}
    value = values.get("value") if isinstance(values, dict) else None
    if value is None and isinstance(values, dict) and isinstance(values.get("selected_option"), dict):
        value = values["selected_option"].get("value")
    return value if isinstance(value, str) else ""


def metadata(view: dict[str, Any]) -> dict[str, Any] | None:
    """The modal's private_metadata, or None when it is not a JSON object (forged or mangled)."""
    raw = view.get("private_metadata")
    try:
        meta = json.loads(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        return None
    return meta if isinstance(meta, dict) else None
