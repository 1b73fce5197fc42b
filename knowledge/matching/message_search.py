"""Find the knowledge-base messages closest to a query, for what no exact match names: what
someone types after /hwerror ("account frozen", "tokne is empty"), the "did you mean" of an
unknown code, a message field cut off mid-word.

Messages are ranked by the (stemmed, typo-corrected) words they share with the query, weighted
by rarity, and the best few are re-scored with rapidfuzz.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from knowledge.matching.wording import ARTICLES, PLACEHOLDER, WILDCARD, stem, words

# Words that say little about which error it is; the fuzzy search ignores them.
_STOP = ARTICLES | frozenset(
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


class TermIndex:
    """The messages' words (stemmed) with the messages that use them, and how rare each is."""

    def __init__(
        self,
        templates: Sequence[tuple[str, ...]],
        texts: Sequence[str],
        entry_message: Sequence[int],
        messages: Sequence[str],
        descriptions: Sequence[str],
    ) -> None:
        self.templates = templates
        stop = _STOP | {WILDCARD}
        weights: list[dict[str, float]] = [
            dict.fromkeys([stem(w) for w in tpl if w not in stop], 1.0) for tpl in self.templates
        ]
        for entry_index, description in enumerate(descriptions):
            if description == messages[entry_index]:
                continue
            ws = weights[entry_message[entry_index]]
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
        self.norm_texts = [utils.default_process(PLACEHOLDER.sub(" ", t)) for t in texts]

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
