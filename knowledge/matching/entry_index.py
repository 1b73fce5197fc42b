"""The knowledge base as the matcher reads it: entries by code, the codes of each message, the
services of each prefix. Built once; every match only reads it.

Code findings and message findings both end in the same question (which variant of a code did
the text mean?), so choosing the variant lives here, beside the entries it chooses from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, utils

from knowledge.matching.codes import CodeIndex, prefix_key, split_code
from knowledge.matching.context import MatchContext
from knowledge.matching.message_index import MessageIndex
from knowledge.matching.service_choice import ServiceNames, decide
from knowledge.matching.service_evidence import Evidence, read_evidence
from knowledge.matching.wording import PLACEHOLDER
from knowledge.types import EntryData


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
        self.service_names = ServiceNames(self.services)
        self.entry_text = [utils.default_process(PLACEHOLDER.sub(" ", e.message)) for e in self.entries]

    def evidence(self, ctx: MatchContext) -> Evidence:
        """What the text shows of the service it called (read once per match, when needed)."""
        if ctx.evidence is None:
            ctx.evidence = read_evidence(ctx.text)
        return ctx.evidence

    def choose_variant(
        self,
        ids: list[int],
        message: str | None,
        status: int | None,
        ctx: MatchContext,
    ) -> tuple[int, float, tuple[str, ...]]:
        """The variant (entry index) that fits the message and status best, how well (0..1), and
        the services left open: empty when one service is known (knowledge.matching.service_choice),
        otherwise every service that has the code."""
        if len(ids) == 1:  # the common case, and no service to choose: only how well it fits
            q = utils.default_process(message) if message else ""
            return ids[0], (fuzz.ratio(q, self.entry_text[ids[0]]) / 100 if q else 1.0), ()
        q = utils.default_process(message) if message else ""
        sims = {i: fuzz.ratio(q, self.entry_text[i]) / 100 if q else 0.0 for i in ids}
        services = list(dict.fromkeys(self.entries[i].service for i in ids))
        left_open: tuple[str, ...] = ()
        if len(services) > 1:
            wording: dict[str, float] = {}
            if q:
                for i in ids:
                    s = self.entries[i].service
                    wording[s] = max(wording.get(s, 0.0), sims[i])
            chosen = decide(self.service_names, services, self.evidence(ctx), wording, ctx.hints)
            if chosen is None:
                left_open = tuple(sorted(services))
            else:
                ids = [i for i in ids if self.entries[i].service == chosen]
        best, best_key, best_sim = ids[0], (-1.0, 0.0), 1.0 if not message else 0.0
        for i in ids:
            e = self.entries[i]
            sim = sims[i]
            key = (sim + (0.15 if status is not None and e.status == status else 0.0), -e.variant)
            if key > best_key:
                best, best_key, best_sim = i, key, (sim if q else 1.0)
        return best, best_sim, left_open
