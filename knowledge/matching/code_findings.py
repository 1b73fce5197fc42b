"""Codes in a text, and what to say about each: the entry it names, the codes it may be, or a
knowledge gap with "did you mean" candidates.

A code may be mentioned several times in one text; its mentions are gathered first, so that
each code is one finding, told by the first message, status and request id its mentions carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.matching.codes import LOOKUP_CODE, PREFIX_ALIASES, Resolution, prefix_key, split_code
from knowledge.matching.context import MatchContext
from knowledge.matching.entry_index import EntryIndex
from knowledge.matching.findings import CONFIDENT, HOW_CODE, HOW_FUZZY_CODE, MAX_CANDIDATES, Finding
from knowledge.matching.scan import TOKEN, Mention, is_strong_token
from knowledge.matching.service_choice import shown_service
from knowledge.types import EntryData

# Words of a typed query: "A1S" and "ais" stay words, "ais27" is "ais" and "27".
_LOOKUP_WORD = re.compile(r"[A-Za-z](?:[A-Za-z0-9]{0,24}[A-Za-z])?|[0-9]+")
GUESS = "guess"  # a Resolution built from part of a code: its codes are only candidates
# The words typed beside a code in a lookup pick its variant only when they are this close to
# the variant's message.
WORDS_NAME_VARIANT = 0.6
MAX_MESSAGE_SEARCHES = 4  # per text, for the "did you mean" of unknown codes


@dataclass
class CodeEvidence:
    """What the text says about one code, gathered over all its mentions."""

    key: str
    resolution: Resolution
    mentions: list[Mention] = field(default_factory=list)

    def first_of(self, attr: str) -> object:
        return next((getattr(m, attr) for m in self.mentions if getattr(m, attr) is not None), None)


def gather_codes(index: EntryIndex, mentions: list[Mention], lenient: bool) -> dict[str, CodeEvidence]:
    found: dict[str, CodeEvidence] = {}
    for m in mentions:
        if m.code is None:
            continue
        res = index.codes.resolve(m.code, lenient=lenient)
        if m.bare and not res.known and m.code.isdigit():
            continue  # "error_code": 1001 of some other system: only IAM's known numbers count
        if m.truncated and not res.known:
            # '{"error_code": "APIG.0' was cut off: its message may still tell, or the codes
            # it begins are the ones to choose from (never confidently).
            begun = index.codes.completions(m.code)
            if not begun:
                continue
            said = index.messages.lookup(m.message) if m.message else None
            agree = [c for c in index.message_codes[said] if c in begun] if said is not None else []
            if len(agree) == 1:  # the message names one of the codes it could have been
                res = Resolution((agree[0],), agree[0], "completed", True, 0.92)
            else:
                res = Resolution(tuple(begun), begun[0], GUESS, True, 0.5)
        if m.kind == TOKEN and not m.strong and not res.prefix_known:
            continue  # "file.123" in running text is not an error code
        key = res.codes[0] if len(res.codes) == 1 else res.normalised
        evidence = found.get(key)
        if evidence is None:
            evidence = found[key] = CodeEvidence(key, res)
        evidence.mentions.append(m)
    return found


def typed_code(index: EntryIndex, text: str) -> CodeEvidence | None:
    """A code as people type it: "ais 27", "AIS_0026", "Model Arts 4202"."""
    query = text.strip()
    if len(query) > 80:
        return None
    if query.isascii() and query.isdigit() and len(query) <= 10:
        if query in index.codes.exact:  # IAM's bare 1113 is a code of its own
            start = text.find(query)
            mention = Mention(query, None, None, None, (start, start + len(query)), TOKEN)
            return CodeEvidence(query, Resolution((query,), query, "exact", True, 1.0), [mention])
        return _number_only(index, text, query)
    m = LOOKUP_CODE.match(query)
    if not m:
        return _code_among_words(index, text, query)
    prefix, number = m.group("prefix"), m.group("number")
    res = index.codes.resolve(f"{prefix}.{number}", lenient=True)
    # An unknown prefix is a code only if it looks like one: IAM 0002, iam_0002 (a padded
    # number), but not "latency 613".
    if not res.prefix_known:
        among = _code_among_words(index, text, query)  # "code AIS 27": a known prefix inside
        if among is not None:
            return among
        if not (is_strong_token(prefix.replace(" ", ""), number) or number[0] == "0"):
            return None
    key = res.codes[0] if len(res.codes) == 1 else res.normalised
    start = text.find(query)
    mention = Mention(key, None, None, None, (start, start + len(query)), TOKEN)
    return CodeEvidence(key, res, [mention])


def _code_among_words(index: EntryIndex, text: str, query: str) -> CodeEvidence | None:
    """ "error ais 27 in prod": a number after a prefix the knowledge base has (only then: in
    running words "build 2025" is no code)."""
    words_ = [(m.group(), m.start()) for m in _LOOKUP_WORD.finditer(query)]
    for i, (word, _) in enumerate(words_):
        if not word.isdigit() or i == 0 or len(word) > 8:
            continue
        for k in (2, 1):  # "Model Arts 4202" before "Arts 4202"
            if i - k < 0 or any(w.isdigit() for w, _ in words_[i - k : i]):
                continue
            prefix = " ".join(w for w, _ in words_[i - k : i])
            res = index.codes.resolve(f"{prefix}.{word}", lenient=True)
            if res.prefix_known:
                key = res.codes[0] if len(res.codes) == 1 else res.normalised
                start = text.find(query) + words_[i - k][1]
                mention = Mention(key, None, None, None, (start, start + len(prefix) + len(word)), TOKEN)
                return CodeEvidence(key, res, [mention])
    return None


def _number_only(index: EntryIndex, text: str, number: str) -> CodeEvidence | None:
    """ "4101" alone: the codes with that number, to choose from (never confident)."""
    codes = index.codes.by_number(number)
    if not codes:
        return None
    start = text.find(number)
    # Even one code is a guess when the prefix was not said: the finding is never confident.
    res = Resolution(tuple(codes), codes[0], GUESS, True, 0.5)
    mention = Mention(codes[0], None, None, None, (start, start + len(number)), TOKEN)
    return CodeEvidence(codes[0], res, [mention])


def code_finding(index: EntryIndex, evidence: CodeEvidence, ctx: MatchContext) -> Finding:
    res = evidence.resolution
    message = evidence.first_of("message")
    status = evidence.first_of("status")
    request_id = evidence.first_of("request_id")
    assert message is None or isinstance(message, str)
    assert status is None or isinstance(status, int)
    assert request_id is None or isinstance(request_id, str)
    span = evidence.mentions[0].span
    if len(res.codes) == 1 and res.how != GUESS:
        code = res.codes[0]
        ids = index.by_code[code]
        words = ctx.words if message is None else None
        chosen, sim, left_open = index.choose_variant(ids, message or words, status, ctx)
        if words is not None and sim < WORDS_NAME_VARIANT:
            # The words typed are no variant's message ("ais 27 in prod"): as if not typed.
            chosen, sim, left_open = index.choose_variant(ids, None, status, ctx)
        entry = index.entries[chosen]
        base = {
            "exact": 1.0,
            "case": 0.97,
            "alias": 0.95,
            "padding": 0.92,
            "lookalike": 0.9,
        }.get(res.how, res.prefix_score * 0.97)
        if evidence.mentions[0].kind == TOKEN:
            base -= 0.02
        if message and sim < 0.5:
            base -= 0.05  # the message is another error's: the code still wins
        how = HOW_CODE if res.how in ("exact", "case", "alias") else HOW_FUZZY_CODE
        return Finding(
            code=code,
            service=None if left_open else entry.service,
            entry=entry,
            known=True,
            confident=True,
            score=round(max(CONFIDENT, base), 3),
            candidates=(entry,),
            how=how,
            request_id=request_id,
            status=status,
            message=message,
            span=span,
            services=left_open,
        )
    if res.codes:
        # "AIS.27" when both AIS.0027 and AIS.027 exist, or "4101" alone: ask.
        cands = tuple(index.entries[index.by_code[c][0]] for c in res.codes[:MAX_CANDIDATES])
        return Finding(
            code=res.normalised,
            service=cands[0].service,
            entry=None,
            known=True,
            confident=False,
            score=0.6,
            candidates=cands,
            how=HOW_FUZZY_CODE,
            request_id=request_id,
            status=status,
            message=message,
            span=span,
        )
    # Searching messages costs most of a query; a paste full of unknown codes searches for
    # the first few only (a Slack reply shows no more), the rest are compared by spelling.
    search = message is not None and ctx.searches < MAX_MESSAGE_SEARCHES
    ctx.searches += search
    cands, best = _did_you_mean(index, res, message if search else None)
    return Finding(
        code=res.normalised,
        service=_service_of_unknown(index, res.normalised, ctx),
        entry=None,
        known=False,
        confident=False,
        score=round(min(0.79, 0.2 + 0.5 * best), 3),
        candidates=cands,
        how=HOW_CODE,
        request_id=request_id,
        status=status,
        message=message,
        span=span,
    )


def _service_of_unknown(index: EntryIndex, code: str, ctx: MatchContext) -> str | None:
    """The service a knowledge gap belongs to: the one the text shows it called, else the one
    service whose codes carry its prefix."""
    evidence = index.evidence(ctx)
    in_kb, _ = index.service_names.strong(evidence)
    if len(in_kb) == 1:
        return next(iter(in_kb))
    shown = shown_service(evidence)
    if shown is not None:
        return shown
    parts = split_code(code)
    if parts is None:
        return None
    key = prefix_key(parts[0])
    services = index.prefix_services.get(PREFIX_ALIASES.get(key, key), set())
    return next(iter(services)) if len(services) == 1 else None


def _did_you_mean(
    index: EntryIndex, res: Resolution, message: str | None
) -> tuple[tuple[EntryData, ...], float]:
    """Known entries an unknown code may have meant: by its message first, then by spelling."""
    scored: dict[str, float] = {}
    if message:
        for mid, s in index.messages.search(message, limit=MAX_CANDIDATES, correct=False, thorough=False):
            for code in index.message_codes[mid]:
                scored[code] = max(scored.get(code, 0.0), 0.5 + 0.5 * s)
    parts = split_code(res.normalised)
    if parts is not None:
        for code, s in index.codes.similar(res.normalised, prefix_key(parts[0])):
            scored[code] = max(scored.get(code, 0.0), 0.5 * s)
    ranked = sorted(scored.items(), key=lambda kv: -kv[1])[:MAX_CANDIDATES]
    cands = tuple(index.entries[index.by_code[c][0]] for c, _ in ranked)
    return cands, (ranked[0][1] if ranked else 0.0)
