"""Errors a text names by their message alone, with no code: a knowledge-base message found
word for word, one cut off where the text ends, or (in a lookup) words that resemble one.

A message is weaker evidence than a code: many services say "Invalid token.", and people say it
in passing. So in a paste a message counts only when it is specific (long enough, and ending its
clause) or stands where an error message stands (a line, a quoted value, a field of its own).
"""

from __future__ import annotations

from knowledge.matching.context import MatchContext, Spans
from knowledge.matching.entry_index import EntryIndex
from knowledge.matching.findings import (
    CONFIDENT,
    HOW_KEYWORDS,
    HOW_MESSAGE,
    MAX_CANDIDATES,
    Finding,
)
from knowledge.matching.message_scan import MessageHit
from knowledge.matching.scan import MESSAGE, Mention
from knowledge.matching.wording import WILDCARD, words

# A message shorter than this (in words, articles aside) is only taken on its own when it fills
# a line or a field: "Invalid token." inside a sentence may be anyone's words.
SPECIFIC_WORDS = 4


# HTTP reason phrases and the like: every server says them, so on their own they name no error.
_GENERIC_MESSAGES = frozenset(
    tuple(words(m))
    for m in (
        "bad request", "unauthorized", "forbidden", "not found", "method not allowed", "not acceptable",
        "request timeout", "conflict", "gone", "payload too large", "request entity too large",
        "unsupported media type", "too many requests", "internal server error", "internal error",
        "not implemented", "bad gateway", "service unavailable", "gateway timeout", "system error",
        "unknown error", "server error", "access denied", "permission denied", "file not found",
        "timeout", "request failed", "invalid request", "invalid parameter", "success", "failed",
    )
)  # fmt: skip


def is_generic(template: tuple[str, ...]) -> bool:
    """Whether a message is a reason phrase or as bare ("Bad request.", "System error")."""
    return tuple(w for w in template if w != WILDCARD) in _GENERIC_MESSAGES


def _clause_ends(text: str, at: int) -> bool:
    """Whether nothing but spaces stands between `at` and punctuation, a line end or the end."""
    rest = text[at : at + 40].lstrip(" ")
    return not rest or not (rest[0].isalnum() or rest[0] == "_")


def message_findings(
    index: EntryIndex,
    ctx: MatchContext,
    mentions: list[Mention],
    code_spans: list[tuple[int, int]],
    found_codes: set[str],
    lookup: bool,
) -> list[Finding]:
    text = ctx.text
    coded = Spans(code_spans)
    # Only text outside the errors that have codes can hold a message-only error.
    hits = index.messages.scan(text, coded.spans())
    if not hits:
        return []
    fields = Spans([m.span for m in mentions if m.kind == MESSAGE])
    whole = lookup and len(words(text)) <= 40
    out: list[Finding] = []
    seen: set[str] = set()
    for hit in hits:
        if coded.overlaps(hit.start, hit.end):
            continue  # part of an error that has a code: the code speaks for it
        template = index.messages.templates[hit.message_id]
        if hit.words < 2 or (WILDCARD in template and hit.words < 3):
            continue  # "Successful", "{0} failed.": too little to tell one error by
        codes = index.message_codes[hit.message_id]
        if any(c in found_codes or c in seen for c in codes):
            continue
        # A lookup that is (mostly) the message itself is as good as a field.
        covers = whole and (hit.end - hit.start) >= 0.6 * len(text.strip())
        segment = hit.segment(text)
        bounded = segment or covers or fields.contains(hit.start, hit.end)
        # A placeholder matches anything, so a short template ("Request API error. %s")
        # needs its own words to be many, wherever it stands.
        # A long message counts in running text when its clause ends with it: "… has been
        # frozen, since Monday" is that error, "the token is invalid for this project" is not.
        ends = template[-1] == WILDCARD or _clause_ends(text, hit.end)
        short = hit.words < 3  # "Invalid token" outside a field may be anyone's words
        in_field = covers or fields.contains(hit.start, hit.end)
        specific = (hit.words >= SPECIFIC_WORDS and ends) or (
            bounded and WILDCARD not in template and (in_field or not short)
        )
        if is_generic(template):
            specific = False  # "Bad Request" is what any HTTP server says, not one error
        if not specific and not lookup:
            continue  # "failed with invalid token" in a chat: stay silent
        seen.update(codes)
        out.append(_message_finding(index, hit, codes, specific, segment, ctx))
    return out


def _message_finding(
    index: EntryIndex,
    hit: MessageHit,
    codes: tuple[str, ...],
    specific: bool,
    segment: bool,
    ctx: MatchContext,
) -> Finding:
    text = ctx.text
    ids = index.messages.entries[hit.message_id]
    message = text[hit.start : hit.end]
    if len(codes) == 1 and specific:
        chosen, _, left_open = index.choose_variant(ids, message, None, ctx)
        entry = index.entries[chosen]
        score = 0.9 if segment or hit.words >= SPECIFIC_WORDS else 0.85
        return Finding(
            services=left_open,
            code=entry.code,
            service=None if left_open else entry.service,
            entry=entry,
            known=True,
            confident=True,
            score=score,
            candidates=(entry,),
            how=HOW_MESSAGE,
            message=message,
            span=(hit.start, hit.end),
        )
    cands = tuple(index.entries[index.by_code[c][0]] for c in codes[:MAX_CANDIDATES])
    return Finding(
        code=cands[0].code,
        service=cands[0].service,
        entry=cands[0],
        known=True,
        confident=False,
        score=0.6 if len(codes) == 1 else round(0.6 / len(codes) + 0.2, 3),
        candidates=cands,
        how=HOW_MESSAGE,
        message=message,
        span=(hit.start, hit.end),
    )


def cut_off_messages(index: EntryIndex, mentions: list[Mention]) -> list[Finding]:
    """A message field the text ends in ('{"error_msg": "The account has been fro'): the
    knowledge-base messages it begins, confident when they are one code's and enough of it
    was read."""
    for m in mentions:
        if m.kind != MESSAGE or not m.truncated or m.message is None:
            continue
        mids = index.messages.completions(m.message)
        codes = tuple(dict.fromkeys(c for mid in mids for c in index.message_codes[mid]))
        if not codes:
            continue
        cands = tuple(index.entries[index.by_code[c][0]] for c in codes[:MAX_CANDIDATES])
        sure = len(codes) == 1 and len(words(m.message)) >= SPECIFIC_WORDS
        return [
            Finding(
                code=codes[0], service=cands[0].service, entry=cands[0], known=True, confident=sure,
                score=0.82 if sure else 0.55, candidates=cands, how=HOW_MESSAGE, message=m.message,
                span=m.span,
            )
        ]  # fmt: skip
    return []


def keyword_findings(index: EntryIndex, ctx: MatchContext) -> list[Finding]:
    text = ctx.text
    query = " ".join(text.split())
    exact = index.messages.lookup(query)
    ranked = index.messages.search(query, limit=12)
    if exact is not None:
        ranked = [(exact, 1.0)] + [(mid, s) for mid, s in ranked if mid != exact]
    if not ranked or ranked[0][1] < 0.35:
        return []
    codes: list[str] = []
    scores: list[float] = []
    for mid, s in ranked:
        for code in index.message_codes[mid]:
            if code not in codes:
                codes.append(code)
                scores.append(s)
    top_mid = ranked[0][0]
    ratio = 1.0 if exact is not None else index.messages.ratio(query, top_mid)
    second_ratio = max((index.messages.ratio(query, mid) for mid, _ in ranked[1:4]), default=0.0)
    unique = len(index.message_codes[top_mid]) == 1 and not is_generic(index.messages.templates[top_mid])
    confident = unique and (exact is not None or (ratio >= 0.92 and second_ratio < ratio - 0.08))
    cands = tuple(index.entries[index.by_code[c][0]] for c in codes[:MAX_CANDIDATES])
    top = cands[0]
    left_open: tuple[str, ...] = ()
    if confident:
        chosen, _, left_open = index.choose_variant(index.by_code[top.code], query, None, ctx)
        top = index.entries[chosen]
    score = (
        max(CONFIDENT, min(1.0, 0.5 * scores[0] + 0.5 * ratio)) if confident else min(0.79, scores[0] * 0.8)
    )
    return [
        Finding(
            code=top.code,
            service=None if left_open else top.service,
            services=left_open,
            entry=top,
            known=True,
            confident=confident,
            score=round(score, 3),
            candidates=cands if not confident else (top,) + cands[1:],
            how=HOW_MESSAGE if exact is not None else HOW_KEYWORDS,
            message=query,
            span=(0, len(text)),
        )
    ]
