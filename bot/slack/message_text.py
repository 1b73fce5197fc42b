"""Every piece of text a Slack message shows, in reading order, each once.

Alerting bots put their errors in `attachments` (pretext, title, text, fields, fallback) or in
`blocks` (header, section text and fields, context, rich_text) and leave `text` empty; people's
messages carry `rich_text` blocks that repeat `text`; snippets show a `preview` of their file. A
piece that repeats an earlier one (the fallback of the blocks, the text of the rich_text) is
left out, so the pipeline sees each error once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_PARTS = 500  # a message with more pieces than this is read up to here
# rich_text element types that carry no words of their own
_INLINE = {
    "text": "text",
    "link": "text",  # the label; the URL follows
    "emoji": "name",
    "user": "user_id",
    "channel": "channel_id",
    "usergroup": "usergroup_id",
    "broadcast": "range",
    "date": "fallback",
    "color": "value",
}


def message_text(message: dict[str, Any], extra: list[str] | None = None) -> str:
    """The text of a message: its own text, attachments, blocks and the previews of its files,
    plus `extra` (the full content of snippets, fetched by the caller)."""
    seen: set[str] = set()
    parts: list[str] = []
    for part in [*_pieces(message), *(extra or [])]:
        key = " ".join(part.split())
        if key and key not in seen and len(parts) < MAX_PARTS:
            seen.add(key)
            parts.append(part)
    return "\n".join(parts)


def _pieces(message: dict[str, Any]) -> Iterator[str]:
    yield _str(message.get("text"))
    yield from _blocks(message.get("blocks"))
    for attachment in _dicts(message.get("attachments")):
        for name in ("pretext", "author_name", "title", "text"):
            yield _str(attachment.get(name))
        for f in _dicts(attachment.get("fields")):
            yield _str(f.get("title"))
            yield _str(f.get("value"))
        yield from _blocks(attachment.get("blocks"))
        yield _str(attachment.get("footer"))
        yield _str(attachment.get("fallback"))
    for f in _dicts(message.get("files")):
        yield _str(f.get("preview"))


def _blocks(blocks: object) -> Iterator[str]:
    for block in _dicts(blocks):
        kind = block.get("type")
        if kind in ("header", "section"):
            yield _object_text(block.get("text"))
            for f in _dicts(block.get("fields")):
                yield _object_text(f)
        elif kind == "context":
            for element in _dicts(block.get("elements")):
                yield _object_text(element)
        elif kind == "rich_text":
            yield from (_rich(e) for e in _dicts(block.get("elements")))
        elif kind == "markdown":
            yield _str(block.get("text"))


def _rich(element: dict[str, Any]) -> str:
    """One rich_text element (section, preformatted, quote, list) as plain text."""
    kind = element.get("type")
    if kind == "rich_text_list":
        return "\n".join(_rich(e) for e in _dicts(element.get("elements")))
    words = []
    for inline in _dicts(element.get("elements")):
        if inline.get("type") in ("rich_text_section", "rich_text_list"):
            words.append(_rich(inline))
            continue
        field = _INLINE.get(str(inline.get("type")))
        value = _str(inline.get(field)) if field else ""
        if inline.get("type") == "link" and inline.get("url"):
            value = f"{value} {inline['url']}".strip()
        words.append(value)
    return "".join(words)


def _object_text(obj: object) -> str:
    return _str(obj.get("text")) if isinstance(obj, dict) else ""


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
