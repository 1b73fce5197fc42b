"""Build the inputs of incident recording the way the bot does: real matcher, real knowledge base."""

from __future__ import annotations

from functools import lru_cache

from knowledge.matching.entries import bundled_entries
from knowledge.matching.findings import Finding
from knowledge.matching.matcher import Matcher


@lru_cache(maxsize=1)
def seed_matcher() -> Matcher:
    return Matcher(bundled_entries())


def findings_in(text: str) -> list[Finding]:
    return seed_matcher().match(text, "paste")
