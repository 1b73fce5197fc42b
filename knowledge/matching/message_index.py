"""Find knowledge-base messages in text: exactly (a Java app that logs only the message) and
fuzzily (what someone types after /hwerror: "account frozen", "token is empty").

Messages are compared as word sequences: case, punctuation and articles do not count, and a
placeholder in a message ("The expected {0} exceeds the quota limit.") stands for a few words.
The exact scan looks each word of the text up in a dict of "anchor" words (the rarest word of
each message), so its cost grows with the text, not with the knowledge base. The fuzzy search
ranks messages that share (stemmed, typo-corrected) words with the query and re-scores the best
few with rapidfuzz.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from rapidfuzz import fuzz, process, utils

WILDCARD = "\x00"
_BREAK = "\x01"  # where a skipped span was: no message matches across it
_WORD_SPLIT = re.compile(r"([a-z0-9\x00\x01]+|[\u3400-\u9fff])")  # one class first: several times faster
PLACEHOLDER = re.compile(r"\{[0-9A-Za-z_]{0,20}\}|%[sd]|\$\{[^{}]{0,40}\}")
_WORD = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]|\x00")
_ARTICLES = frozenset({"the", "a", "an"})
_IGNORED = _ARTICLES | {WILDCARD}  # words the scan steps over
# Words that say little about which error it is; the fuzzy search ignores them.
_STOP = _ARTICLES | frozenset(
    {
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "of",
        "to",
        "in",
        "for",
        "on",
        "or",
        "and",
        "it",
        "its",
        "this",
        "that",
        "my",
        "our",
        "we",
        "i",
        "you",
        "your",
        "please",
        "with",
        "by",
        "at",
        "from",
        "as",
        "got",
        "get",
        "getting",
        "keep",
        "again",
        "what",
        "why",
        "how",
        "does",
        "do",
        "did",
        "error",
        "errors",
        "code",
    }
)
# What people type for what the docs say. Expansions count for less than the words themselves.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "acct": ("account",),
    "img": ("image",),
    "pic": ("image",),
    "picture": ("image",),
    "photo": ("image",),
    "msg": ("message",),
    "auth": ("authentication", "token"),
    "param": ("parameter",),
    "params": ("parameter",),
    "arg": ("parameter",),
    "args": ("parameter",),
    "req": ("request",),
    "resp": ("response",),
    "max": ("maximum",),
    "min": ("minimum",),
    "unsupported": ("not", "support"),
    "missing": ("exist", "empty", "lack"),
    "absent": ("exist", "missing"),
    "nonexistent": ("exist",),
    "found": ("exist", "find"),
    "many": ("maximum", "limit"),
    "quota": ("limit", "call"),
    "throttled": ("rate", "limit", "fast"),
    "throttling": ("rate", "limit", "fast"),
    "ratelimit": ("rate", "limit"),
    "forbidden": ("permission", "unauthorized"),
    "denied": ("permission", "unauthorized"),
    "expired": ("expire", "validity"),
    "timeout": ("time", "out"),
    "big": ("oversized", "size", "exceed"),
    "large": ("oversized", "size", "exceed"),
    "huge": ("oversized", "size", "exceed"),
    "corrupt": ("damage",),
    "corrupted": ("damage",),
    "broken": ("damage", "invalid"),
    "bad": ("invalid", "incorrect"),
    "wrong": ("invalid", "incorrect"),
    "invalid": ("incorrect",),
    "incorrect": ("invalid",),
    "decode": ("decoding",),
    "arrears": ("frozen", "restrict"),
    "overdue": ("frozen", "restrict"),
    "suspended": ("frozen", "restrict"),
}


def words(text: str) -> list[str]:
    """Lowercase words of `text`, articles dropped, placeholders as WILDCARD."""
    return [w for w in _WORD.findall(text.lower()) if w not in _ARTICLES]


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


def _pair_offset(tpl: tuple[str, ...], pair: tuple[str, str]) -> int:
    i = tpl.index(pair[0])
    while tpl[i + 1] != pair[1]:
        i = tpl.index(pair[0], i + 1)
    return i


@dataclass(frozen=True, slots=True)
class MessageHit:
    """A knowledge-base message found in text: which one, where (char offsets), how long."""

    message_id: int
    start: int
    end: int
    words: int  # literal words matched

    def segment(self, text: str) -> bool:
        """Whether the match fills a line, a quoted value or what follows "Exception:"."""
        return _is_segment(text, self.start, self.end)


_BEFORE_SEGMENT = frozenset("\n\"'`:-([{|>=,;")
_AFTER_SEGMENT = frozenset("\n\"'`)]},;|<")


def _is_segment(text: str, start: int, end: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    j = end
    while j < len(text) and text[j] in " .!。":
        j += 1
    return (i < 0 or text[i] in _BEFORE_SEGMENT) and (j >= len(text) or text[j] in _AFTER_SEGMENT)


class MessageIndex:
    """Distinct normalised messages, each with the entries (by index) that carry it."""

    def __init__(self, messages: Sequence[str], descriptions: Sequence[str]) -> None:
        ids: dict[tuple[str, ...], int] = {}
        self.templates: list[tuple[str, ...]] = []
        self.texts: list[str] = []
        self.entries: list[list[int]] = []
        self.entry_message: list[int] = []  # each entry's own (whole) message

        def add(form: str, entry_index: int) -> int:
            tpl = template_words(form)
            mid = ids.get(tpl)
            if mid is None:
                mid = ids[tpl] = len(self.templates)
                self.templates.append(tpl)
                self.texts.append(form)
                self.entries.append([])
            if not self.entries[mid] or self.entries[mid][-1] != entry_index:
                self.entries[mid].append(entry_index)
            return mid

        for entry_index, message in enumerate(messages):
            self.entry_message.append(add(message, entry_index))
            if "\n" in message or ": " in message:
                for form in other_forms(message):
                    add(form, entry_index)
        self.exact = ids
        self._build_anchors()
        self._build_postings(messages, descriptions)

    # -- exact ------------------------------------------------------------------------------

    def _build_anchors(self) -> None:
        """Index each message under its rarest pair of adjacent words (or word, if it has one).

        A pair is far rarer than a word ("token is" vs "token"), so scanning a long paste
        verifies few candidates per word.
        """
        pairs_of = [
            list(zip(tpl, tpl[1:], strict=False))
            if WILDCARD not in tpl
            else [p for p in zip(tpl, tpl[1:], strict=False) if WILDCARD not in p]
            for tpl in self.templates
        ]
        df2 = Counter(p for pairs in pairs_of for p in set(pairs))
        pair_anchors: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        word_anchors: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.literal_words = [len(tpl) - tpl.count(WILDCARD) for tpl in self.templates]
        df1: Counter[str] | None = None
        count = df2.__getitem__
        for mid, tpl in enumerate(self.templates):
            pairs = pairs_of[mid]
            if pairs:
                counts = list(map(count, pairs))
                i = counts.index(min(counts))  # the first of the rarest
                offset = i if WILDCARD not in tpl else _pair_offset(tpl, pairs[i])
                pair_anchors[pairs[i]].append((mid, offset))
            elif self.literal_words[mid] >= 2:  # one word alone never names an error in a scan
                if df1 is None:
                    df1 = Counter(w for t in self.templates for w in set(t))
                word = min((w for w in tpl if w != WILDCARD), key=df1.__getitem__)
                word_anchors[word].append((mid, tpl.index(word)))
        # Templates without a placeholder, as lists, for the scan's fast comparison.
        self.plain: list[list[str] | None] = [None if WILDCARD in t else list(t) for t in self.templates]
        self.pair_anchors = dict(pair_anchors)
        self.word_anchors = dict(word_anchors)

    def lookup(self, text: str) -> int | None:
        """The message that `text` is, word for word, or None."""
        return self.exact.get(tuple(words(text)))

    def scan(self, text: str, skip: Sequence[tuple[int, int]] = ()) -> list[MessageHit]:
        """Every knowledge-base message that occurs in `text` outside the `skip` spans (sorted,
        not overlapping); the longest where matches overlap."""
        low = text.lower()
        if len(low) != len(text):  # a few characters grow when lowercased; keep offsets true
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        # Skipped spans become one word no message has, so that nothing matches across them;
        # `moved` maps offsets in the shortened text back: (where a kept stretch starts, shift).
        moved_at: list[int] = []
        moved_by: list[int] = []
        if skip:
            parts: list[str] = []
            at = shift = length = 0
            for a, b in skip:
                parts.append(low[at:a])
                parts.append(f" {_BREAK} ")
                length += (a - at) + 3
                shift += (b - a) - 3
                moved_at.append(length)
                moved_by.append(shift)
                at = b
            parts.append(low[at:])
            low = "".join(parts)

        def original(pos: int) -> int:
            i = bisect.bisect_right(moved_at, pos) - 1
            return pos if i < 0 else pos + moved_by[i]

        # split() and accumulate() run in C: words and their offsets without a Match per word.
        pieces = _WORD_SPLIT.split(low)
        offsets = list(accumulate(map(len, pieces), initial=0))
        every = pieces[1::2]  # word k spans offsets[2k+1]..offsets[2k+2]
        keep = [i for i, w in enumerate(every) if w not in _IGNORED]
        toks = [every[i] for i in keep]
        pair_anchors, word_anchors, templates = self.pair_anchors, self.word_anchors, self.templates
        at_word = [i for i, t in enumerate(toks) if t in word_anchors]
        at_pair = [i for i, p in enumerate(zip(toks, toks[1:], strict=False)) if p in pair_anchors]
        found: list[tuple[int, int, int, int]] = []  # (literal words, first word, end word, message)
        plain, literal_words, n = self.plain, self.literal_words, len(toks)
        for anchors, positions, pairs in ((word_anchors, at_word, False), (pair_anchors, at_pair, True)):
            for i in positions:
                key = (toks[i], toks[i + 1]) if pairs else toks[i]
                for mid, offset in anchors[key]:  # type: ignore[index]
                    words_ = plain[mid]
                    if words_ is not None:  # no placeholder: one list comparison, in C
                        first = i - offset
                        last = first + len(words_)
                        if first >= 0 and last <= n and toks[first:last] == words_:
                            found.append((literal_words[mid], first, last, mid))
                        continue
                    got = self._match_at(templates[mid], offset, toks, i)
                    if got is not None:
                        found.append((literal_words[mid], got[0], got[1], mid))
        if not found:
            return []
        # Keep the longest of overlapping matches ("The OBS file is oversized." inside a longer one).
        found.sort(key=lambda f: (-f[0], f[1]))
        covered = bytearray(len(toks))
        out: list[MessageHit] = []
        for literal, a, b, mid in found:
            if 1 in covered[a:b]:
                continue
            covered[a:b] = b"\x01" * (b - a)
            first = keep[a]
            start = offsets[2 * first + 1]
            # A match after "The" starts at "The": "…Service : The token is empty." fills its
            # line as much as "The token is empty." does.
            if first > 0 and every[first - 1] in _ARTICLES and offsets[2 * first] == start - 1:
                start = offsets[2 * first - 1]
            out.append(MessageHit(mid, original(start), original(offsets[2 * keep[b - 1] + 2]), literal))
        out.sort(key=lambda o: o.start)
        return out

    @staticmethod
    def _match_at(tpl: tuple[str, ...], offset: int, toks: list[str], i: int) -> tuple[int, int] | None:
        """Word span of `tpl` in `toks` given its word `offset` sits at `i`; a wildcard takes 1-6 words."""
        start = i - offset
        if WILDCARD not in tpl:
            if start < 0 or start + len(tpl) > len(toks):
                return None
            return (start, start + len(tpl)) if tuple(toks[start : start + len(tpl)]) == tpl else None
        # Chunks of literal words between wildcards; the anchor's chunk must sit exactly there.
        chunks: list[tuple[int, tuple[str, ...]]] = []
        k = 0
        while k < len(tpl):
            if tpl[k] == WILDCARD:
                k += 1
                continue
            j = k
            while j < len(tpl) and tpl[j] != WILDCARD:
                j += 1
            chunks.append((k, tpl[k:j]))
            k = j
        home = next(c for c, (pos, chunk) in enumerate(chunks) if pos <= offset < pos + len(chunk))
        pos, chunk = chunks[home]
        at = i - (offset - pos)
        if at < 0 or tuple(toks[at : at + len(chunk)]) != chunk:
            return None
        begin, end = at, at + len(chunk)
        for c in range(home + 1, len(chunks)):  # later chunks: 1..6 words after the previous
            cchunk = chunks[c][1]
            for gap in range(1, 7):
                s = end + gap
                if tuple(toks[s : s + len(cchunk)]) == cchunk:
                    end = s + len(cchunk)
                    break
            else:
                return None
        for c in range(home - 1, -1, -1):  # earlier chunks: 1..6 words before
            cchunk = chunks[c][1]
            for gap in range(1, 7):
                s = begin - gap - len(cchunk)
                if s >= 0 and tuple(toks[s : s + len(cchunk)]) == cchunk:
                    begin = s
                    break
            else:
                return None
        return begin, end

    # -- fuzzy ------------------------------------------------------------------------------

    def _build_postings(self, messages: Sequence[str], descriptions: Sequence[str]) -> None:
        stop = _STOP | {WILDCARD}
        weights: list[dict[str, float]] = [
            dict.fromkeys([stem(w) for w in tpl if w not in stop], 1.0) for tpl in self.templates
        ]
        for entry_index, description in enumerate(descriptions):
            if description == messages[entry_index]:
                continue
            ws = weights[self.entry_message[entry_index]]
            for w in words(description[:400]):
                if w not in _STOP:
                    ws.setdefault(stem(w), 0.4)
        postings: dict[str, list[int]] = defaultdict(list)
        for mid, ws in enumerate(weights):
            for w in ws:
                postings[w].append(mid)
        n = max(1, len(self.templates))
        self.postings = dict(postings)
        self.doc_terms: list[dict[str, float]] = weights
        self.idf = {w: math.log(1 + n / len(p)) for w, p in postings.items()}
        self.vocabulary = sorted(self.postings)
        self.norm_texts = [utils.default_process(PLACEHOLDER.sub(" ", t)) for t in self.texts]

    def _query_terms(self, query: str, correct: bool) -> list[tuple[str, float]]:
        terms: dict[str, float] = {}
        for w in words(query):
            if w in _STOP or w == WILDCARD:
                continue
            s = stem(w)
            if correct and s not in self.postings and len(w) >= 4 and not w.isdigit():
                # A typo ("acount", "tokne"): the nearest word the knowledge base uses.
                near = process.extractOne(s, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80)
                if near is not None:
                    s = near[0]
            if s in self.postings:
                terms[s] = max(terms.get(s, 0.0), 1.0)
            for syn in _SYNONYMS.get(w, ()):
                ss = stem(syn)
                if ss in self.postings:
                    terms[ss] = max(terms.get(ss, 0.0), 0.6)
        return list(terms.items())

    # Candidates scored per query. Picking them costs set operations in C; scoring them costs
    # Python, so their number is what bounds a query's time on a large knowledge base.
    _CANDIDATES = 600

    def _candidates(self, terms: list[tuple[str, float]], wanted: int) -> list[int]:
        """Messages worth scoring: those with the rarest query words, narrowed by the next ones."""
        by_rarity = sorted(terms, key=lambda tw: len(self.postings[tw[0]]))
        picked: set[int] = set(self.postings[by_rarity[0][0]])
        for t, w in by_rarity[1:]:
            posting = self.postings[t]
            if len(picked) > wanted:
                if w >= 1.0:
                    narrowed = picked.intersection(posting)
                    if narrowed:
                        picked = narrowed
            elif len(picked) + len(posting) <= 4 * wanted:
                picked.update(posting)
        if len(picked) > wanted:
            return sorted(picked)[:wanted]
        return list(picked)

    def search(
        self, query: str, limit: int = 5, correct: bool = True, thorough: bool = True
    ) -> list[tuple[int, float]]:
        """(message id, score 0..1) of the messages closest to `query`, best first.

        `correct` maps unknown words to the nearest known one (for typed queries; a message a
        service returned has no typos). `thorough` scores more candidates (a typed lookup);
        without it the search is quicker (the "did you mean" of a code in a paste).
        """
        terms = self._query_terms(query, correct)
        if not terms:
            return []
        weighted = [(t, self.idf[t] * w) for t, w in terms]
        total = sum(w for _, w in weighted)
        doc_terms = self.doc_terms
        scored = [
            (mid, sum(w * doc_terms[mid].get(t, 0.0) for t, w in weighted))
            for mid in self._candidates(terms, self._CANDIDATES if thorough else self._CANDIDATES // 3)
        ]
        top = heapq.nlargest(40 if thorough else 15, scored, key=lambda kv: kv[1])
        q = utils.default_process(query)
        q_len = len(q.split())
        ranked = []
        for mid, s in top:
            coverage = min(1.0, s / total)
            shape = fuzz.token_set_ratio(q, self.norm_texts[mid]) / 100
            # A short message that is all query words ("Job not found") beats a long one that
            # merely contains them.
            length = len(self.norm_texts[mid].split())
            brevity = 1.0 / (1.0 + max(0, length - q_len) / 12)
            ranked.append((mid, 0.6 * coverage + 0.3 * shape + 0.1 * brevity))
        ranked.sort(key=lambda kv: -kv[1])
        return ranked[:limit]

    def completions(self, fragment: str) -> list[int]:
        """Messages that `fragment`, cut off mid-word, begins ("The account has been fro")."""
        ws = [w for w in words(fragment) if w != WILDCARD]
        if len(ws) < 3:
            return []
        whole, last = tuple(ws[:-1]), ws[-1]
        n = len(whole)
        out = []
        for mid, _ in self.search(fragment, limit=10, correct=False, thorough=False):
            tpl = self.templates[mid]
            if tpl[:n] == whole and len(tpl) > n and (tpl[n] == WILDCARD or tpl[n].startswith(last)):
                out.append(mid)
        return out

    def ratio(self, query: str, message_id: int) -> float:
        """How alike `query` and one message read, character by character (0..1)."""
        return fuzz.ratio(query, self.norm_texts[message_id], processor=utils.default_process) / 100
