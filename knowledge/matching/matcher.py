"""Match text against the knowledge base: which known errors does it carry?

Two modes. `paste` (a message in a channel) is conservative: it reports codes as the service
wrote them and knowledge-base messages found word for word, and stays silent on anything else
(version numbers, Jira keys, times). `lookup` (what a user typed after /hwerror) is generous:
it forgives separators, zeros, look-alike characters and misspelt prefixes in codes, and ranks
messages by the words typed.

The index is built once; `match` only reads it, so one Matcher serves many threads.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, utils

from knowledge.matching.codes import (
    LOOKUP_CODE,
    PREFIX_ALIASES,
    CodeIndex,
    Resolution,
    prefix_key,
    split_code,
)
from knowledge.matching.extract import MESSAGE, TOKEN, Mention, extract_all, is_strong_token
from knowledge.matching.findings import HOW_CODE, HOW_FUZZY_CODE, HOW_KEYWORDS, HOW_MESSAGE, Finding
from knowledge.matching.message_index import MessageIndex
from knowledge.matching.message_scan import MessageHit
from knowledge.matching.wording import PLACEHOLDER, WILDCARD, words
from knowledge.types import EntryData

Mode = Literal["lookup", "paste"]
# Words of a typed query: "A1S" and "ais" stay words, "ais27" is "ais" and "27".
_LOOKUP_WORD = re.compile(r"[A-Za-z](?:[A-Za-z0-9]{0,24}[A-Za-z])?|[0-9]+")

CONFIDENT = 0.8  # confident findings score at least this, unsure ones less
GUESS = "guess"  # a Resolution built from part of a code: its codes are only candidates
MAX_CANDIDATES = 5
MAX_MESSAGE_SEARCHES = 4  # per text, for the "did you mean" of unknown codes
_HINT_WINDOW = 600  # characters around an error where a service name counts as a hint
# A message shorter than this (in words, articles aside) is only taken on its own when it fills
# a line or a field: "Invalid token." inside a sentence may be anyone's words.
SPECIFIC_WORDS = 4
_GENERIC_SERVICE_WORDS = frozenset(
    {"service", "services", "error", "errors", "codes", "code", "cloud", "management"}
)


def _clause_ends(text: str, at: int) -> bool:
    """Whether nothing but spaces stands between `at` and punctuation, a line end or the end."""
    rest = text[at : at + 40].lstrip(" ")
    return not rest or not (rest[0].isalnum() or rest[0] == "_")


class _Spans:
    """Character spans, merged, for "does this overlap / sit inside one of them" by bisection."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self._starts, self._ends, strict=True))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end) - 1
        return i >= 0 and self._ends[i] > start

    def contains(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start) - 1
        return i >= 0 and self._ends[i] >= end


class _Context:
    """One match call's text, and how many message searches it has spent."""

    __slots__ = ("text", "searches")

    def __init__(self, text: str) -> None:
        self.text = text
        self.searches = 0


@dataclass
class _Acc:
    """What the text says about one code, gathered over all its mentions."""

    key: str
    first: int
    resolution: Resolution
    mentions: list[Mention] = field(default_factory=list)

    def first_of(self, attr: str) -> object:
        return next((getattr(m, attr) for m in self.mentions if getattr(m, attr) is not None), None)


class Matcher:
    def __init__(self, entries: Iterable[EntryData]) -> None:
        self.entries: tuple[EntryData, ...] = tuple(entries)
        self._by_code: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entries):
            self._by_code[e.code].append(i)
        self._by_code = dict(self._by_code)
        self.codes = CodeIndex(self._by_code)
        self.messages = MessageIndex([e.message for e in self.entries], [e.description for e in self.entries])
        # The codes each distinct message belongs to, in knowledge-base order.
        self._message_codes: list[tuple[str, ...]] = [
            tuple(dict.fromkeys(self.entries[i].code for i in ids)) for ids in self.messages.entries
        ]
        self._services = sorted({e.service for e in self.entries})
        # The services whose codes carry each prefix: an unknown AIS.0006 is content-moderation's
        # when only that service has AIS codes.
        self._prefix_services: dict[str, set[str]] = defaultdict(set)
        for e in self.entries:
            parts = split_code(e.code)
            if parts is not None:
                self._prefix_services[prefix_key(parts[0])].add(e.service)
        self._service_words = {
            s: frozenset(w for w in re.split(r"[^a-z0-9]+", s.lower()) if len(w) >= 3)
            - _GENERIC_SERVICE_WORDS
            for s in self._services
        }
        self._entry_text = [utils.default_process(PLACEHOLDER.sub(" ", e.message)) for e in self.entries]

    # -- public -----------------------------------------------------------------------------

    def match(self, text: str, mode: Mode = "paste") -> list[Finding]:
        if not isinstance(text, str) or not text.strip():
            return []
        lookup = mode == "lookup"
        ex = extract_all(text)
        accs = self._gather_codes(ex.mentions, lookup)
        if lookup and not accs:
            acc = self._typed_code(ex.text)
            if acc is not None:
                accs[acc.key] = acc
        ctx = _Context(ex.text)
        findings = [self._code_finding(acc, ctx) for acc in accs.values()]
        code_spans = [m.span for acc in accs.values() for m in acc.mentions]
        found_codes = {f.code for f in findings}
        findings += self._message_findings(ctx, ex.mentions, code_spans, found_codes, lookup)
        if not findings:
            findings += self._cut_off_messages(ex.mentions)
        if lookup and not findings:
            findings += self._keyword_findings(ctx)
        findings.sort(key=lambda f: f.span[0] if f.span else 0)
        return findings

    # -- codes ------------------------------------------------------------------------------

    def _gather_codes(self, mentions: list[Mention], lenient: bool) -> dict[str, _Acc]:
        accs: dict[str, _Acc] = {}
        for m in mentions:
            if m.code is None:
                continue
            res = self.codes.resolve(m.code, lenient=lenient)
            if m.truncated and not res.known:
                # '{"error_code": "APIG.0' was cut off: its message may still tell, or the codes
                # it begins are the ones to choose from (never confidently).
                begun = self.codes.completions(m.code)
                if not begun:
                    continue
                said = self.messages.lookup(m.message) if m.message else None
                agree = [c for c in self._message_codes[said] if c in begun] if said is not None else []
                if len(agree) == 1:  # the message names one of the codes it could have been
                    res = Resolution((agree[0],), agree[0], "completed", True, 0.92)
                else:
                    res = Resolution(tuple(begun), begun[0], GUESS, True, 0.5)
            if m.kind == TOKEN and not m.strong and not res.prefix_known:
                continue  # "file.123" in running text is not an error code
            key = res.codes[0] if len(res.codes) == 1 else res.normalised
            acc = accs.get(key)
            if acc is None:
                acc = accs[key] = _Acc(key, m.span[0], res)
            acc.mentions.append(m)
        return accs

    def _typed_code(self, text: str) -> _Acc | None:
        """A code as people type it: "ais 27", "AIS_0026", "Model Arts 4202"."""
        query = text.strip()
        if len(query) > 80:
            return None
        if query.isascii() and query.isdigit() and len(query) <= 10:
            return self._number_only(text, query)
        m = LOOKUP_CODE.match(query)
        if not m:
            return self._code_among_words(text, query)
        prefix, number = m.group("prefix"), m.group("number")
        res = self.codes.resolve(f"{prefix}.{number}", lenient=True)
        # An unknown prefix is a code only if it looks like one: IAM 0002, iam_0002 (a padded
        # number), but not "latency 613".
        if not res.prefix_known:
            among = self._code_among_words(text, query)  # "code AIS 27": a known prefix inside
            if among is not None:
                return among
            if not (is_strong_token(prefix.replace(" ", ""), number) or number[0] == "0"):
                return None
        key = res.codes[0] if len(res.codes) == 1 else res.normalised
        start = text.find(query)
        mention = Mention(key, None, None, None, (start, start + len(query)), TOKEN)
        return _Acc(key, start, res, [mention])

    def _code_among_words(self, text: str, query: str) -> _Acc | None:
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
                res = self.codes.resolve(f"{prefix}.{word}", lenient=True)
                if res.prefix_known:
                    key = res.codes[0] if len(res.codes) == 1 else res.normalised
                    start = text.find(query) + words_[i - k][1]
                    mention = Mention(key, None, None, None, (start, start + len(prefix) + len(word)), TOKEN)
                    return _Acc(key, start, res, [mention])
        return None

    def _number_only(self, text: str, number: str) -> _Acc | None:
        """ "4101" alone: the codes with that number, to choose from (never confident)."""
        codes = self.codes.by_number(number)
        if not codes:
            return None
        start = text.find(number)
        # Even one code is a guess when the prefix was not said: the finding is never confident.
        res = Resolution(tuple(codes), codes[0], GUESS, True, 0.5)
        mention = Mention(codes[0], None, None, None, (start, start + len(number)), TOKEN)
        return _Acc(codes[0], start, res, [mention])

    def _hint_services(self, ctx: _Context, span: tuple[int, int] | None, services: set[str]) -> set[str]:
        """Which of `services` the text names near the error ("moderation" in the URL curl
        called, "modelarts" in the log line): a tie-break between variants."""
        a, b = span if span is not None else (0, len(ctx.text))
        present = set(words(ctx.text[max(0, a - _HINT_WINDOW) : b + _HINT_WINDOW]))
        return {s for s in services if self._service_words.get(s, frozenset()) & present}

    def _choose(
        self,
        ids: list[int],
        message: str | None,
        status: int | None,
        ctx: _Context,
        span: tuple[int, int] | None = None,
    ) -> tuple[int, float]:
        """The variant (entry index) that fits the message and status best, and how well (0..1)."""
        if len(ids) == 1 and not message:
            return ids[0], 1.0
        services = {self.entries[i].service for i in ids}
        hinted = self._hint_services(ctx, span, services) if len(services) > 1 else set()
        q = utils.default_process(message) if message else ""
        best, best_key, best_sim = ids[0], (-1.0, 0.0), 1.0 if not message else 0.0
        for i in ids:
            e = self.entries[i]
            sim = fuzz.ratio(q, self._entry_text[i]) / 100 if q else 0.0
            key = (
                sim
                + (0.15 if status is not None and e.status == status else 0.0)
                + (0.1 if e.service in hinted else 0.0),
                -e.variant,
            )
            if key > best_key:
                best, best_key, best_sim = i, key, (sim if q else 1.0)
        return best, best_sim

    def _code_finding(self, acc: _Acc, ctx: _Context) -> Finding:
        res = acc.resolution
        message = acc.first_of("message")
        status = acc.first_of("status")
        request_id = acc.first_of("request_id")
        assert message is None or isinstance(message, str)
        assert status is None or isinstance(status, int)
        assert request_id is None or isinstance(request_id, str)
        span = acc.mentions[0].span
        if len(res.codes) == 1 and res.how != GUESS:
            code = res.codes[0]
            chosen, sim = self._choose(self._by_code[code], message, status, ctx, span)
            entry = self.entries[chosen]
            base = {
                "exact": 1.0,
                "case": 0.97,
                "alias": 0.95,
                "padding": 0.92,
                "lookalike": 0.9,
            }.get(res.how, res.prefix_score * 0.97)
            if acc.mentions[0].kind == TOKEN:
                base -= 0.02
            if message and sim < 0.5:
                base -= 0.05  # the message is another error's: the code still wins
            how = HOW_CODE if res.how in ("exact", "case", "alias") else HOW_FUZZY_CODE
            return Finding(
                code=code,
                service=entry.service,
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
            )
        if res.codes:
            # "AIS.27" when both AIS.0027 and AIS.027 exist, or "4101" alone: ask.
            cands = tuple(self.entries[self._by_code[c][0]] for c in res.codes[:MAX_CANDIDATES])
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
        cands, best = self._did_you_mean(res, message if search else None)
        return Finding(
            code=res.normalised,
            service=self._service_of_unknown(res.normalised),
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

    def _service_of_unknown(self, code: str) -> str | None:
        parts = split_code(code)
        if parts is None:
            return None
        key = prefix_key(parts[0])
        services = self._prefix_services.get(PREFIX_ALIASES.get(key, key), set())
        return next(iter(services)) if len(services) == 1 else None

    def _did_you_mean(self, res: Resolution, message: str | None) -> tuple[tuple[EntryData, ...], float]:
        """Known entries an unknown code may have meant: by its message first, then by spelling."""
        scored: dict[str, float] = {}
        if message:
            for mid, s in self.messages.search(message, limit=MAX_CANDIDATES, correct=False, thorough=False):
                for code in self._message_codes[mid]:
                    scored[code] = max(scored.get(code, 0.0), 0.5 + 0.5 * s)
        parts = split_code(res.normalised)
        if parts is not None:
            for code, s in self.codes.similar(res.normalised, prefix_key(parts[0])):
                scored[code] = max(scored.get(code, 0.0), 0.5 * s)
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])[:MAX_CANDIDATES]
        cands = tuple(self.entries[self._by_code[c][0]] for c, _ in ranked)
        return cands, (ranked[0][1] if ranked else 0.0)

    # -- messages ---------------------------------------------------------------------------

    def _message_findings(
        self,
        ctx: _Context,
        mentions: list[Mention],
        code_spans: list[tuple[int, int]],
        found_codes: set[str],
        lookup: bool,
    ) -> list[Finding]:
        text = ctx.text
        coded = _Spans(code_spans)
        # Only text outside the errors that have codes can hold a message-only error.
        hits = self.messages.scan(text, coded.spans())
        if not hits:
            return []
        fields = _Spans([m.span for m in mentions if m.kind == MESSAGE])
        whole = lookup and len(words(text)) <= 40
        out: list[Finding] = []
        seen: set[str] = set()
        for hit in hits:
            if coded.overlaps(hit.start, hit.end):
                continue  # part of an error that has a code: the code speaks for it
            template = self.messages.templates[hit.message_id]
            if hit.words < 2 or (WILDCARD in template and hit.words < 3):
                continue  # "Successful", "{0} failed.": too little to tell one error by
            codes = self._message_codes[hit.message_id]
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
            specific = (hit.words >= SPECIFIC_WORDS and ends) or (bounded and WILDCARD not in template)
            if not specific and not lookup:
                continue  # "failed with invalid token" in a chat: stay silent
            seen.update(codes)
            out.append(self._message_finding(hit, codes, specific, segment, ctx))
        return out

    def _message_finding(
        self, hit: MessageHit, codes: tuple[str, ...], specific: bool, segment: bool, ctx: _Context
    ) -> Finding:
        text = ctx.text
        ids = self.messages.entries[hit.message_id]
        message = text[hit.start : hit.end]
        if len(codes) == 1 and specific:
            chosen, _ = self._choose(ids, message, None, ctx)
            entry = self.entries[chosen]
            score = 0.9 if segment or hit.words >= SPECIFIC_WORDS else 0.85
            return Finding(
                code=entry.code,
                service=entry.service,
                entry=entry,
                known=True,
                confident=True,
                score=score,
                candidates=(entry,),
                how=HOW_MESSAGE,
                message=message,
                span=(hit.start, hit.end),
            )
        cands = tuple(self.entries[self._by_code[c][0]] for c in codes[:MAX_CANDIDATES])
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

    def _cut_off_messages(self, mentions: list[Mention]) -> list[Finding]:
        """A message field the text ends in ('{"error_msg": "The account has been fro'): the
        knowledge-base messages it begins, confident when they are one code's and enough of it
        was read."""
        for m in mentions:
            if m.kind != MESSAGE or not m.truncated or m.message is None:
                continue
            mids = self.messages.completions(m.message)
            codes = tuple(dict.fromkeys(c for mid in mids for c in self._message_codes[mid]))
            if not codes:
                continue
            cands = tuple(self.entries[self._by_code[c][0]] for c in codes[:MAX_CANDIDATES])
            sure = len(codes) == 1 and len(words(m.message)) >= SPECIFIC_WORDS
            return [
                Finding(
                    code=codes[0], service=cands[0].service, entry=cands[0], known=True, confident=sure,
                    score=0.82 if sure else 0.55, candidates=cands, how=HOW_MESSAGE, message=m.message,
                    span=m.span,
                )
            ]  # fmt: skip
        return []

    def _keyword_findings(self, ctx: _Context) -> list[Finding]:
        text = ctx.text
        query = " ".join(text.split())
        exact = self.messages.lookup(query)
        ranked = self.messages.search(query, limit=12)
        if exact is not None:
            ranked = [(exact, 1.0)] + [(mid, s) for mid, s in ranked if mid != exact]
        if not ranked or ranked[0][1] < 0.35:
            return []
        codes: list[str] = []
        scores: list[float] = []
        for mid, s in ranked:
            for code in self._message_codes[mid]:
                if code not in codes:
                    codes.append(code)
                    scores.append(s)
        top_mid = ranked[0][0]
        ratio = 1.0 if exact is not None else self.messages.ratio(query, top_mid)
        second_ratio = max((self.messages.ratio(query, mid) for mid, _ in ranked[1:4]), default=0.0)
        unique = len(self._message_codes[top_mid]) == 1
        confident = unique and (exact is not None or (ratio >= 0.92 and second_ratio < ratio - 0.08))
        cands = tuple(self.entries[self._by_code[c][0]] for c in codes[:MAX_CANDIDATES])
        top = cands[0]
        if confident:
            chosen, _ = self._choose(self._by_code[top.code], query, None, ctx)
            top = self.entries[chosen]
        score = (
            max(CONFIDENT, min(1.0, 0.5 * scores[0] + 0.5 * ratio))
            if confident
            else min(0.79, scores[0] * 0.8)
        )
        return [
            Finding(
                code=top.code,
                service=top.service,
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
