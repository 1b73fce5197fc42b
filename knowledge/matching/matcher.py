"""Match text against the knowledge base: which known errors does it carry?

Two modes. `paste` (a message in a channel) is conservative: it reports codes as the service
wrote them and knowledge-base messages found word for word, and stays silent on anything else
(version numbers, Jira keys, times). `lookup` (what a user typed after /hwerror) is generous:
it forgives separators, zeros, look-alike characters and misspelt prefixes in codes, and ranks
messages by the words typed.

The index is built once; `match` only reads it, so one Matcher serves many threads. Codes are
looked for first (code_findings); messages only in the text the codes leave (message_findings).
"""

from __future__ import annotations

import re
from typing import Literal

from knowledge.matching.code_findings import code_finding, gather_codes, typed_code
from knowledge.matching.context import MatchContext
from knowledge.matching.entry_index import EntryIndex
from knowledge.matching.extract import Mention, extract_all
from knowledge.matching.findings import Finding
from knowledge.matching.message_findings import cut_off_messages, keyword_findings, message_findings

Mode = Literal["lookup", "paste"]

_LETTER = re.compile(r"[^\W\d_]")


class Matcher(EntryIndex):
    """The knowledge base's index (EntryIndex), and `match` over it."""

    def match(self, text: str, mode: Mode = "paste", hints: tuple[str, ...] = ()) -> list[Finding]:
        """The errors in `text`. `hints` are the services the channel suggests, best first (its
        default service, then those seen there lately): they decide a code several services
        have only when the text itself does not."""
        if not isinstance(text, str) or not text.strip():
            return []
        lookup = mode == "lookup"
        ex = extract_all(text)
        codes = gather_codes(self, ex.mentions, lookup)
        if lookup and not codes:
            typed = typed_code(self, ex.text)
            if typed is not None:
                codes[typed.key] = typed
        ctx = MatchContext(ex.text, hints)
        if lookup and len(codes) == 1:
            ctx.words = _words_beside(ex.text, next(iter(codes.values())).mentions)
        findings = [code_finding(self, ev, ctx) for ev in codes.values()]
        code_spans = [m.span for ev in codes.values() for m in ev.mentions]
        found_codes = {f.code for f in findings}
        findings += message_findings(self, ctx, ex.mentions, code_spans, found_codes, lookup)
        if not findings:
            findings += cut_off_messages(self, ex.mentions)
        if lookup and not findings:
            findings += keyword_findings(self, ctx)
        findings.sort(key=lambda f: f.span[0] if f.span else 0)
        return findings


def _words_beside(text: str, mentions: list[Mention]) -> str | None:
    """What a lookup says besides its code, when it says something (letters, not only a status):
    "APIG.0201 Request entity too large" → "Request entity too large"."""
    if any(m.message is not None for m in mentions):
        return None  # the text carries its own message field
    rest, at = [], 0
    for m in sorted(mentions, key=lambda m: m.span):
        rest.append(text[at : m.span[0]])
        at = max(at, m.span[1])
    rest.append(text[at:])
    words = " ".join("".join(rest).split()).strip(" :-,;|\"'")
    return words if _LETTER.search(words) else None
