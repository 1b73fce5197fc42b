"""The knowledge that ships with hwerror: the reviewed seed page, as a JSON data file."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from knowledge.importer.rows import ParsedRow
from knowledge.store import BUNDLED_ACTOR, ImportReport, record_service, service_row, team_owned, upsert_rows

BUNDLED_FILES = ("content-moderation.json",)


def _raw(name: str) -> str:
    return resources.files("knowledge").joinpath("data", name).read_text(encoding="utf-8")


def read_bundled(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_raw(name))
    return data


def bundled_hash(name: str) -> str:
    return hashlib.sha256(_raw(name).encode("utf-8")).hexdigest()


def bundled_rows(name: str) -> tuple[str, str | None, list[ParsedRow]]:
    data = read_bundled(name)
    rows = [ParsedRow(**row) for row in data["rows"]]
    return data["service"], data.get("doc_url"), rows


def load_bundled(session: Session) -> dict[str, ImportReport]:
    """Load each bundled page when the database lacks it or the file changed since it was loaded
    (its hash is kept in `services`); entries a team imported or edited since are never touched."""
    reports = {}
    for name in BUNDLED_FILES:
        service, doc_url, rows = bundled_rows(name)
        digest = bundled_hash(name)
        known = service_row(session, service)
        if known is not None and known.bundled_hash == digest:
            reports[service] = ImportReport(unchanged=len(rows))
            continue
        keep = team_owned(session, service)
        reports[service] = upsert_rows(
            session, rows, service=service, doc_url=doc_url, actor=BUNDLED_ACTOR, keep=keep
        )
        reports[service].kept = len(keep)
        record_service(session, service, source=f"bundled:{name}", bundled_hash=digest)
    return reports
