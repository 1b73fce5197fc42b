"""Undo what Slack, terminals and serialisers do to an error before we look for codes in it.

Everything here is a single left-to-right pass (a regex without nested quantifiers, or a plain
string replace), so cleaning stays linear in the length of the text whatever it holds.
"""

from __future__ import annotations

import re

# Slack posts at most 40,000 characters; anything longer did not come from Slack and is cut so a
# caller cannot make one message cost more than a Slack message would.
MAX_TEXT = 50_000

# Slack markup: <https://x|label>, <https://x>, <mailto:a@b|a@b>. Real angle brackets typed by
# a user arrive as &lt; &gt;, so markup must be unwrapped before entities are decoded.
_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^<>|\s]{0,2000})(?:\|([^<>]{0,2000}))?>")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|#39|#x27|nbsp);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#39": "'", "#x27": "'", "nbsp": " "}
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
# Terraform frames diagnostics with box-drawing characters at the start of each line.
_TERRAFORM_FRAME = re.compile(r"^[ \t]*[\u2502\u2577\u2575][ \t]?", re.MULTILINE)

# Smart quotes from phones and rich text editors, full-width punctuation from Chinese input
# methods, odd spaces: each becomes its ASCII twin (zero-width characters go).
_ONE_TO_ONE = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\uff02": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\uff07": "'",
        "\uff1a": ":",
        "\uff0c": ",",
        "\uff5b": "{",
        "\uff5d": "}",
        "\uff08": "(",
        "\uff09": ")",
        "\uff1d": "=",
        "\u3000": " ",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\t": " ",
        "\r": "\n",
    }
)
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_REPLACE = {chr(k): v for k, v in _ONE_TO_ONE.items()} | {chr(k): "" for k in _ZERO_WIDTH}
_SPECIAL = re.compile("[" + re.escape("".join(_REPLACE)) + "]")


def _link(m: re.Match[str]) -> str:
    url, label = m.group(1), m.group(2)
    # Keep the URL (an error-centre link carries the code in keyword=) and the label.
    return url if not label or label == url else f"{url} {label}"


def _unicode_escape(m: re.Match[str]) -> str:
    ch = chr(int(m.group(1), 16))
    # A lone surrogate would make later encoding fail; leave such escapes as they were.
    return m.group(0) if 0xD800 <= ord(ch) <= 0xDFFF else ch


def clean(text: str) -> str:
    """The text with Slack markup, entities, smart quotes and code fences undone."""
    text = text[:MAX_TEXT]
    if "\r" in text:  # Windows line ends (curl on Windows, pasted logs) are one line end
        text = text.replace("\r\n", "\n")
    text = _SLACK_LINK.sub(_link, text)
    text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)
    # translate() costs a dict look-up per character; a regex visits only the ones to change.
    text = _SPECIAL.sub(lambda m: _REPLACE[m.group()], text)
    text = text.replace("```", "\n")
    if "\\u" in text:
        text = _UNICODE_ESCAPE.sub(_unicode_escape, text)
    if "\u2502" in text or "\u2577" in text:
        text = _TERRAFORM_FRAME.sub("", text)
    return text
