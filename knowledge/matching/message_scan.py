"""Find knowledge-base messages in text word for word: an error that arrives without its code
(a Java app that logs only the message) is still named by its message.

The scan looks each pair of adjacent words of the text up in a dict of "anchors" (the rarest
pair of each message), so its cost grows with the text, not with the knowledge base.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from knowledge.matching.wording import ARTICLES, WILDCARD

_BREAK = "\x01"  # where a skipped span was: no message matches across it
_WORD_SPLIT = re.compile(r"([a-z0-9\x00\x01]+|[\u3400-\u9fff])")  # one class first: several times faster
_IGNORED = ARTICLES | {WILDCARD}  # words the scan steps over


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


class AnchorIndex:
    """Each message under its rarest pair of adjacent words (or word, if it has one).

    A pair is far rarer than a word ("token is" vs "token"), so scanning a long paste verifies
    few candidates per word.
    """

    def __init__(self, templates: Sequence[tuple[str, ...]]) -> None:
        self.templates = templates
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
            if first > 0 and every[first - 1] in ARTICLES and offsets[2 * first] == start - 1:
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
