"""The state of one match call: its text, its search budget, the spans its errors take.

The Matcher holds only the knowledge base's index and never changes after it is built, so that
one Matcher serves many threads; whatever a call learns about its own text lives here.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.matching.service_evidence import Evidence


class MatchContext:
    """One match call's text, and how many message searches it has spent."""

    __slots__ = ("text", "searches", "evidence", "hints", "words")

    def __init__(self, text: str, hints: tuple[str, ...] = ()) -> None:
        self.text = text
        self.searches = 0
        # What the text shows of the service it called: read when a code needs it.
        self.evidence: Evidence | None = None
        # Services the channel suggests (its default, then those seen there lately), best first.
        self.hints = hints
        # Lookup mode: the words typed beside the one code ("APIG.0201 Request entity too
        # large"), which may name one of its variants.
        self.words: str | None = None


class Spans:
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
