"""What a card's buttons and selects carry: the entry's key and the thread the card answers."""

from __future__ import annotations

import json
from typing import Any

from bot.core.pipeline import Key


def button_value(key: Key, thread_ts: str | None = None) -> str:
    value: dict[str, Any] = {"s": key[0], "c": key[1], "v": key[2]}
    if thread_ts:
        value["t"] = thread_ts
    return json.dumps(value, separators=(",", ":"))


def parse_value(value: str) -> tuple[Key, str | None]:
    data = json.loads(value)
    return (str(data["s"]), str(data["c"]), int(data["v"])), data.get("t")
