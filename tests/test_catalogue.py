"""The running bot's matcher follows the knowledge base: an import elsewhere is seen at the next check."""

from __future__ import annotations

from sqlalchemy import Engine

from knowledge.bundled import load_bundled
from knowledge.catalogue import Catalogue
from knowledge.db import transaction
from knowledge.importer.rows import ParsedRow
from knowledge.store import upsert_rows


def test_matcher_is_rebuilt_only_when_the_entries_change(engine: Engine) -> None:
    with transaction(engine) as session:
        load_bundled(session)
    catalogue = Catalogue(engine, check_every=0)
    first = catalogue.matcher()
    assert catalogue.matcher() is first, "nothing changed: the same index"
    assert not [f for f in first.match("OBS.0042", "lookup") if f.known]
    with transaction(engine) as session:
        row = ParsedRow(
            code="OBS.0042",
            status=403,
            message="The bucket is frozen.",
            description="The bucket is frozen.",
            handling="Pay the bill.",
            category=None,
        )
        upsert_rows(session, [row], service="obs", doc_url=None, actor="test")
    rebuilt = catalogue.matcher()
    assert rebuilt is not first
    [finding] = rebuilt.match("OBS.0042", "lookup")
    assert finding.known and finding.confident and finding.entry is not None
    assert finding.entry.service == "obs"
