"""Checks on the Block Kit the bot sends: inert (no pings, no forged links), within Slack's limits,
and readable (headers, buttons, all text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

DOC_LINK = re.compile(r"<https://support\.huaweicloud\.com/[^<>|\s]*\|Documentation>")


def texts(node: Any) -> Iterator[str]:
    """Every string a person could see in a message or blocks (and the fallback text)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "title", "label", "placeholder") and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def _parsed_texts(node: Any) -> Iterator[str]:
    """The strings Slack parses for mentions and links: all but plain_text objects."""
    if isinstance(node, dict):
        if node.get("type") == "plain_text":
            return
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _parsed_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _parsed_texts(item)


def assert_inert(message: dict[str, Any]) -> None:
    """No mention, broadcast or link in anything Slack parses, but our own documentation link.
    (plain_text objects, such as headers and button labels, are shown as typed and never parsed.)"""
    for text in _parsed_texts(message):
        cleaned = DOC_LINK.sub("", text)
        assert "<!" not in cleaned and "<@" not in cleaned and "<#" not in cleaned, text
        assert "<http" not in cleaned and "<mailto" not in cleaned, text


def assert_block_kit_limits(message: dict[str, Any]) -> None:
    blocks = message.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    assert blocks and len(blocks) <= 50
    assert 0 < len(message.get("text") or "") <= 40_000
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    for b in blocks:
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
        if b["type"] == "section":
            if "text" in b:
                assert len(b["text"]["text"]) <= 3000
            assert len(b.get("fields", [])) <= 10
            for f in b.get("fields", []):
                assert len(f["text"]) <= 2000
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            ids = [e["action_id"] for e in b["elements"]]
            assert len(ids) == len(set(ids))
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75 and len(e.get("value", "")) <= 2000
        if b["type"] == "context":
            assert len(b["elements"]) <= 10


def headers_of(message: dict[str, Any]) -> list[str]:
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [b["text"]["text"] for b in blocks if b["type"] == "header"]


def buttons_of(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """action_id → button (the first one with that id), and the block it sits in as `_block`."""
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    out: dict[str, dict[str, Any]] = {}
    for b in blocks:
        if b["type"] == "actions":
            for e in b["elements"]:
                out.setdefault(e["action_id"], {**e, "_block": b["block_id"]})
    return out


def all_text(message: dict[str, Any]) -> str:
    return "\n".join(texts(message))
