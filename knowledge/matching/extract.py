"""Find the errors a piece of text carries, without knowing which codes exist.

Huawei Cloud errors reach Slack in many wrappers (JSON bodies, Python/Java/Go/Node SDK
exceptions, curl -i output, Terraform and KooCLI output, log lines), but every wrapper spells the
same few facts as key/value pairs: a code, a message, an HTTP status and a request id. So rather
than one parser per format, the extractor finds every key it knows (`error_code`, `errorCode`,
`code`, `错误码`, …) with its value (quoted with any quote at any escape depth, or bare up to the
next key or the end of the line), adds codes written in running text (`AIS.0027`) and in
error-centre URLs (`keyword=`), and then gives each code the message, status and request id
nearest to it. Nesting (a JSON body inside another error's message string) needs nothing
special: the inner keys are found like any other.

Every step is a regex whose repetitions cannot match the same characters two ways (no
catastrophic backtracking) or a bisect over positions found in one pass, so the cost is linear in
the text whatever it holds (unclosed quotes, deep nesting, long runs of anything).
"""

from __future__ import annotations

import bisect
import re
from urllib.parse import unquote

from knowledge.matching.clean import clean
from knowledge.matching.scan import (
    CODE_PREFIX,
    DOT_DIGITS,
    FIELD,
    LETTER_RUN,
    MESSAGE,
    TOKEN,
    TRAILING_MESSAGE,
    URL,
    URL_KEYWORD,
    Anchor,
    Extraction,
    Mention,
    Scanner,
    Value,
    clean_value,
    is_strong_token,
    looks_like_field_code,
)


def _anchors(scanner: Scanner, values: list[Value]) -> list[Anchor]:
    text = scanner.text
    anchors: list[Anchor] = []
    taken: list[tuple[int, int]] = []
    for v in values:
        if v.kind == "code":
            anchors.append(
                Anchor(
                    v.value,
                    v.key_start,
                    v.end,
                    FIELD,
                    True,
                    lo=v.key_start,
                    hi=v.end,
                    truncated=v.truncated,
                    bare=v.bare,
                )
            )
            taken.append((v.start, v.end))
    taken.sort()
    taken_starts = [s for s, _ in taken]

    def overlaps(a: int, b: int) -> bool:
        i = bisect.bisect_right(taken_starts, b) - 1
        return i >= 0 and taken[i][1] > a

    for m in URL_KEYWORD.finditer(text):
        code = unquote(m.group(1)).strip()
        if looks_like_field_code(code) and not overlaps(m.start(1), m.end(1)):
            anchors.append(Anchor(code, m.start(1), m.end(1), URL, True, lo=m.start(1), hi=m.end(1)))
    reversed_text = ""
    for dm in DOT_DIGITS.finditer(text):
        dot = dm.start()
        if not reversed_text:
            reversed_text = text[::-1]
        run = LETTER_RUN.match(reversed_text, len(text) - dot)
        if run is None:
            continue
        start = dot - (run.end() - run.start())
        while start < dot and text[start] == "_":  # Slack italics: _AIS.0027_
            start += 1
        before = text[start - 1] if start > 0 else " "
        if (before.isascii() and before.isalnum()) or before in "-/@#$":
            continue
        prefix = text[start:dot]
        if not CODE_PREFIX.fullmatch(prefix):
            continue
        end = dm.end()
        if overlaps(start, end):
            continue
        if any(a.kind == URL and a.start <= start < a.end for a in anchors[-4:]):
            continue
        anchor = Anchor(
            text[start:end], start, end, TOKEN, is_strong_token(prefix, dm.group(1)), lo=start, hi=end
        )
        # "ModelArts.4107 (An exception occurred …)" or "AIS.0027: The account has been frozen."
        tm = TRAILING_MESSAGE.match(text, end)
        if tm:
            anchor.message = clean_value(tm.group(1) or tm.group(2))
            anchor.message_cost = 0.0
            anchor.hi = tm.end()
        else:
            _message_below(text, anchor)
        anchors.append(anchor)
    anchors.sort(key=lambda a: a.start)
    return anchors


# The console's and SDKs' four-line form: status, request id, code, message, one to a line.
_LINE_BELOW = re.compile(r"[ \t]*\n[ \t]*([^\n{}\[\]<>]{3,300}?)[ \t]*(?=\n|$)")


def _message_below(text: str, anchor: Anchor) -> None:
    """A code alone on its line, with a sentence on the next: that sentence is its message."""
    line_start = text.rfind("\n", 0, anchor.start) + 1
    if text[line_start : anchor.start].strip(" \t`*>-"):
        return
    m = _LINE_BELOW.match(text, anchor.end)
    if m is None or DOT_DIGITS.search(m.group(1)) or sum(c.isalpha() for c in m.group(1)) < 3:
        return
    below = m.group(1)
    if ":" in below[:30] or not (below[0].isalpha() or "\u3400" <= below[0] <= "\u9fff"):
        return  # "request_id: …", "at com.…", "2025-…": not a message
    anchor.message = clean_value(below)
    anchor.message_cost = 5.0
    anchor.hi = m.end(1)


def _attach(scanner: Scanner, anchors: list[Anchor], values: list[Value]) -> list[Value]:
    """Give each anchor its nearest message, status and request id; return the messages left."""
    starts = [a.start for a in anchors]
    orphans: list[Value] = []
    for v in values:
        if v.kind == "code":
            continue
        best: Anchor | None = None
        best_cost = float("inf")
        i = bisect.bisect_right(starts, v.key_start)
        for j in (i - 1, i):  # the nearest code before and after
            if 0 <= j < len(anchors):
                a = anchors[j]
                c = (
                    scanner.cost(a.end, v.key_start)
                    if a.start <= v.key_start
                    else scanner.cost(v.end, a.start)
                )
                if v.generic:
                    c += 50
                if c < best_cost:
                    best, best_cost = a, c
        if best is None or best_cost == float("inf"):
            if v.kind == "message":
                orphans.append(v)
            continue
        if v.kind == "message" and best_cost < best.message_cost:
            best.message, best.message_cost = v.value, best_cost
        elif v.kind == "status" and best_cost < best.status_cost:
            best.status, best.status_cost = int(v.value), best_cost
        elif v.kind == "request_id" and best_cost < best.request_id_cost:
            best.request_id, best.request_id_cost = v.value, best_cost
        else:
            continue
        best.lo = min(best.lo, v.key_start)
        best.hi = max(best.hi, v.end)
    return orphans


def extract_all(text: str) -> Extraction:
    """The cleaned text and the mentions in it, in order of appearance."""
    cleaned = clean(text)
    scanner = Scanner(cleaned)
    values = scanner.values()
    anchors = _anchors(scanner, values)
    orphans = _attach(scanner, anchors, values)
    mentions = [
        Mention(
            a.code, a.message, a.status, a.request_id, (a.lo, a.hi), a.kind, a.strong, a.truncated, a.bare
        )
        for a in anchors
    ]
    for v in orphans:
        mentions.append(Mention(None, v.value, None, None, (v.key_start, v.end), MESSAGE, True, v.truncated))
    mentions.sort(key=lambda m: m.span[0])
    return Extraction(cleaned, mentions)


def extract(text: str) -> list[Mention]:
    """Raw mentions of errors in `text`: codes as written, with message/status/request id."""
    return extract_all(text).mentions
