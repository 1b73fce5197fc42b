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

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

WILDCARD = "\x00"
_PLACEHOLDER = re.compile(r"\{[0-9A-Za-z_]{0,20}\}|%[sd]|\$\{[^{}]{0,40}\}")
_WORD = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]|\x00")
_ARTICLES = frozenset({"the", "a", "an"})
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
    return [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in _ARTICLES]


def template_words(message: str) -> tuple[str, ...]:
    return tuple(words(_PLACEHOLDER.sub(f" {WILDCARD} ", message)))


def stem(word: str) -> str:
    """A crude suffix stripper: enough to meet "decoding"/"decode", "exceeds"/"exceeded"."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A knowledge-base message found in text: which one, where (char offsets), how bounded."""

    message_id: int
    start: int
    end: int
    words: int  # literal words matched
    segment: bool  # the match fills a line, a quoted value or what follows "Exception:"


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
        self.entry_message: list[int] = []
        for entry_index, message in enumerate(messages):
            tpl = template_words(message)
            if tpl not in ids:
                ids[tpl] = len(self.templates)
                self.templates.append(tpl)
                self.texts.append(message)
                self.entries.append([])
            self.entries[ids[tpl]].append(entry_index)
            self.entry_message.append(ids[tpl])
        self.exact = ids
        self._build_anchors()
        self._build_postings(descriptions)

    # -- exact ------------------------------------------------------------------------------

    def _build_anchors(self) -> None:
        df: dict[str, int] = defaultdict(int)
        for tpl in self.templates:
            for w in set(tpl):
                df[w] += 1
        self.anchors: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.literal_words: list[int] = []
        for mid, tpl in enumerate(self.templates):
            literal = [(i, w) for i, w in enumerate(tpl) if w != WILDCARD]
            self.literal_words.append(len(literal))
            if not literal:
                continue
            offset, word = min(literal, key=lambda iw: (df[iw[1]], -len(iw[1]), iw[0]))
            self.anchors[word].append((mid, offset))
        self.anchors = dict(self.anchors)

    def lookup(self, text: str) -> int | None:
        """The message that `text` is, word for word, or None."""
        return self.exact.get(tuple(words(text)))

    def scan(self, text: str) -> list[Occurrence]:
        """Every knowledge-base message that occurs in `text`; the longest where they overlap."""
        spans = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text)]
        spans = [s for s in spans if s[2] not in _ARTICLES and s[2] != WILDCARD]
        toks = [s[2] for s in spans]
        found: list[tuple[int, int, int, int]] = []  # (first word, last word + 1, message, literal words)
        anchors = self.anchors
        for i, tok in enumerate(toks):
            hits = anchors.get(tok)
            if not hits:
                continue
            for mid, offset in hits:
                got = self._match_at(self.templates[mid], offset, toks, i)
                if got is not None:
                    found.append((got[0], got[1], mid, self.literal_words[mid]))
        if not found:
            return []
        # Keep the longest of overlapping matches ("The OBS file is oversized." inside a longer one).
        found.sort(key=lambda f: (-f[3], f[0]))
        taken: list[tuple[int, int]] = []
        out: list[Occurrence] = []
        for a, b, mid, n in found:
            if any(a < tb and ta < b for ta, tb in taken):
                continue
            taken.append((a, b))
            start, end = spans[a][0], spans[b - 1][1]
            out.append(Occurrence(mid, start, end, n, _is_segment(text, start, end)))
        out.sort(key=lambda o: o.start)
        return out

    @staticmethod
    def _match_at(tpl: tuple[str, ...], offset: int, toks: list[str], i: int) -> tuple[int, int] | None:
        """Word span of `tpl` in `toks` given its word `offset` sits at `i`; a wildcard takes 1-6 words."""
        # Chunks of literal words between wildcards.
        start = i - offset
        if WILDCARD not in tpl:
            if start < 0 or start + len(tpl) > len(toks):
                return None
            return (start, start + len(tpl)) if tuple(toks[start : start + len(tpl)]) == tpl else None
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
        first, last = at, at + len(chunk)
        # Forward: each later chunk 1..6 words after the previous one ends.
        end = last
        for c in range(home + 1, len(chunks)):
            cpos, cchunk = chunks[c]
            for gap in range(1, 7):
                s = end + gap
                if tuple(toks[s : s + len(cchunk)]) == cchunk:
                    end = s + len(cchunk)
                    break
            else:
                return None
        begin = first
        for c in range(home - 1, -1, -1):
            cpos, cchunk = chunks[c]
            for gap in range(1, 7):
                s = begin - gap - len(cchunk)
                if s >= 0 and tuple(toks[s : s + len(cchunk)]) == cchunk:
                    begin = s
                    break
            else:
                return None
        return begin, end

    # -- fuzzy ------------------------------------------------------------------------------

    def _build_postings(self, descriptions: Sequence[str]) -> None:
        weights: list[dict[str, float]] = [{} for _ in self.templates]
        for mid, tpl in enumerate(self.templates):
            for w in tpl:
                if w != WILDCARD and w not in _STOP:
                    weights[mid][stem(w)] = 1.0
        for entry_index, description in enumerate(descriptions):
            mid = self.entry_message[entry_index]
            for w in words(description[:400]):
                if w not in _STOP:
                    weights[mid].setdefault(stem(w), 0.4)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for mid, ws in enumerate(weights):
            for w, weight in ws.items():
                postings[w].append((mid, weight))
        n = max(1, len(self.templates))
        self.postings = dict(postings)
        self.idf = {w: math.log(1 + n / len(p)) for w, p in postings.items()}
        self.vocabulary = sorted(self.postings)
        self.norm_texts = [utils.default_process(_PLACEHOLDER.sub(" ", t)) for t in self.texts]
        self._common = max(50, n // 5)  # words in more messages than this do not pick candidates

    def _query_terms(self, query: str) -> list[tuple[str, float]]:
        terms: dict[str, float] = {}
        raw = [w for w in words(query) if w != WILDCARD]
        for w in raw:
            if w in _STOP:
                continue
            s = stem(w)
            if s not in self.postings and len(w) >= 4 and not w.isdigit():
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

    def search(self, query: str, limit: int = 5) -> list[tuple[int, float]]:
        """(message id, score 0..1) of the messages closest to `query`, best first."""
        terms = self._query_terms(query)
        if not terms:
            return []
        total = sum(self.idf[t] * w for t, w in terms)
        scores: dict[int, float] = defaultdict(float)
        rare = [(t, w) for t, w in terms if len(self.postings[t]) <= self._common] or terms
        for t, w in rare:
            idf = self.idf[t] * w
            for mid, weight in self.postings[t]:
                scores[mid] += idf * weight
        if len(rare) < len(terms):
            for t, w in terms:
                if (t, w) in rare:
                    continue
                idf = self.idf[t] * w
                for mid, weight in self.postings[t]:
                    if mid in scores:
                        scores[mid] += idf * weight
        top = sorted(scores.items(), key=lambda kv: -kv[1])[:40]
        q = utils.default_process(query)
        ranked = []
        for mid, s in top:
            coverage = min(1.0, s / total)
            shape = fuzz.token_set_ratio(q, self.norm_texts[mid]) / 100
            # A short message that is all query words ("Job not found") beats a long one that
            # merely contains them.
            length = len(self.norm_texts[mid].split())
            brevity = 1.0 / (1.0 + max(0, length - len(q.split())) / 12)
            ranked.append((mid, 0.6 * coverage + 0.3 * shape + 0.1 * brevity))
        ranked.sort(key=lambda kv: -kv[1])
        return ranked[:limit]

    def ratio(self, query: str, message_id: int) -> float:
        """How alike `query` and one message read, character by character (0..1)."""
        return fuzz.ratio(query, self.norm_texts[message_id], processor=utils.default_process) / 100
