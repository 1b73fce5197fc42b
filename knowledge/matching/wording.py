"""How the matcher reads a message: as words, so that "The token is empty." in the docs and
"token is empty" in a log meet.

Knowledge-base messages and the texts searched for them go through these same functions: case,
punctuation and articles do not count, and a placeholder ("{0}", "%s", "${name}") becomes
WILDCARD, a word that stands for a few words of the text.
"""

from __future__ import annotations

import re

WILDCARD = "\x00"
PLACEHOLDER = re.compile(r"\{[0-9A-Za-z_]{0,20}\}|%[sd]|\$\{[^{}]{0,40}\}")
_WORD = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]|\x00")
ARTICLES = frozenset({"the", "a", "an"})


def words(text: str) -> list[str]:
    """Lowercase words of `text`, articles dropped, placeholders as WILDCARD."""
    return [w for w in _WORD.findall(text.lower()) if w not in ARTICLES]


def template_words(message: str) -> tuple[str, ...]:
    return tuple(words(PLACEHOLDER.sub(f" {WILDCARD} ", message)))


_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+")


def other_forms(message: str) -> list[str]:
    """Shorter forms of a message that services return on their own.

    A cell that lists causes ("1. Incorrect IAM authentication information: Failed to decrypt
    the token. …\n\n2. …") is several messages; "Title: detail" is also returned as "Title:
    <another detail>", so the title alone (four words or more) names the entry too.
    """
    parts = [p for p in (_NUMBERED.sub("", line).strip() for line in message.split("\n")) if p]
    forms = parts if len(parts) > 1 else []
    for part in parts:
        head, sep, detail = part.partition(": ")
        if sep and len(words(head)) >= 4 and not PLACEHOLDER.search(detail):
            forms.append(head)
    return forms


_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """A crude suffix stripper: enough to meet "decoding"/"decode", "exceeds"/"exceeded"."""
    got = _STEMS.get(word)
    if got is not None:
        return got
    out = word
    if len(word) > 4 and word.isalpha():
        for suffix in ("ing", "ed", "es", "s"):
            if out.endswith(suffix) and len(out) - len(suffix) >= 3 and not out.endswith("ss"):
                out = out[: -len(suffix)]
                break
        if out.endswith("e") and len(out) > 4:
            out = out[:-1]
    if len(_STEMS) < 200_000:  # a bounded memo: words repeat endlessly across messages
        _STEMS[word] = out
    return out
