"""The knowledge base as the matcher reads it: entries by code, the codes of each message, the
services of each prefix. Built once; every match only reads it.

Code findings and message findings both end in the same question (which variant of a code did
the text mean?), so choosing the variant lives here, beside the entries it chooses from.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, utils

from knowledge.matching.codes import CodeIndex, prefix_key, split_code
from knowledge.matching.context import MatchContext
from knowledge.matching.message_index import MessageIndex
from knowledge.matching.wording import PLACEHOLDER, words
from knowledge.types import EntryData

_HINT_WINDOW = 600  # characters around an error where a service name counts as a hint
_GENERIC_SERVICE_WORDS = frozenset(
    {"service", "services", "error", "errors", "codes", "code", "cloud", "management"}
)


class EntryIndex:
    """The entries, with the indexes over them that matching reads."""

    def __init__(self, entries: Iterable[EntryData]) -> None:
        self.entries: tuple[EntryData, ...] = tuple(entries)
        self.by_code: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entries):
            self.by_code[e.code].append(i)
        self.by_code = dict(self.by_code)
        self.codes = CodeIndex(self.by_code)
        self.messages = MessageIndex([e.message for e in self.entries], [e.description for e in self.entries])
        # The codes each distinct message belongs to, in knowledge-base order.
        self.message_codes: list[tuple[str, ...]] = [
            tuple(dict.fromkeys(self.entries[i].code for i in ids)) for ids in self.messages.entries
        ]
        self.services = sorted({e.service for e in self.entries})
        # The services whose codes carry each prefix: an unknown AIS.0006 is content-moderation's
        # when only that service has AIS codes.
        self.prefix_services: dict[str, set[str]] = defaultdict(set)
        for e in self.entries:
            parts = split_code(e.code)
            if parts is not None:
                self.prefix_services[prefix_key(parts[0])].add(e.service)
        self.service_words = {
            s: frozenset(w for w in re.split(r"[^a-z0-9]+", s.lower()) if len(w) >= 3)
            - _GENERIC_SERVICE_WORDS
            for s in self.services
        }
        self.entry_text = [utils.default_process(PLACEHOLDER.sub(" ", e.message)) for e in self.entries]

    def _hint_services(self, ctx: MatchContext, span: tuple[int, int] | None, services: set[str]) -> set[str]:
        """Which of `services` the text names near the error ("moderation" in the URL curl
        called, "modelarts" in the log line): a tie-break between variants."""
        a, b = span if span is not None else (0, len(ctx.text))
        present = set(words(ctx.text[max(0, a - _HINT_WINDOW) : b + _HINT_WINDOW]))
        return {s for s in services if self.service_words.get(s, frozenset()) & present}

    def choose_variant(
        self,
        ids: list[int],
        message: str | None,
        status: int | None,
        ctx: MatchContext,
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
            sim = fuzz.ratio(q, self.entry_text[i]) / 100 if q else 0.0
            key = (
                sim
                + (0.15 if status is not None and e.status == status else 0.0)
                + (0.1 if e.service in hinted else 0.0),
                -e.variant,
            )
            if key > best_key:
                best, best_key, best_sim = i, key, (sim if q else 1.0)
        return best, best_sim
