"""Build the inputs of incident recording the way the bot does: real matcher, real knowledge base."""

from __future__ import annotations

from functools import lru_cache

from knowledge.bundled import bundled_rows
from knowledge.matching.findings import Finding
from knowledge.matching.matcher import Matcher
from knowledge.store import with_variants
from knowledge.types import EntryData


@lru_cache(maxsize=1)
def seed_matcher() -> Matcher:
    service, doc_url, rows = bundled_rows("content-moderation.json")
    entries = [
        EntryData(
            service=service,
            code=r.code,
            variant=v,
            status=r.status,
            message=r.message,
            description=r.description,
            handling=r.handling,
            doc_url=doc_url,
            category=r.category,
        )
        for v, r in with_variants(rows)
    ]
    return Matcher(entries)


def findings_in(text: str) -> list[Finding]:
    return seed_matcher().match(text, "paste")
