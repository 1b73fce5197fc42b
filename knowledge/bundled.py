"""The knowledge that ships with hwerror: the reviewed seed page, as a JSON data file."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from knowledge.importer.rows import ParsedRow
from knowledge.store import ImportReport, upsert_rows

BUNDLED_FILES = ("content-moderation.json",)


def read_bundled(name: str) -> dict[str, Any]:
    raw = resources.files("knowledge").joinpath("data", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def bundled_rows(name: str) -> tuple[str, str | None, list[ParsedRow]]:
    data = read_bundled(name)
    rows = [ParsedRow(**row) for row in data["rows"]]
    return data["service"], data.get("doc_url"), rows


def load_bundled(session: Session) -> dict[str, ImportReport]:
    reports = {}
    for name in BUNDLED_FILES:
        service, doc_url, rows = bundled_rows(name)
        reports[service] = upsert_rows(session, rows, service=service, doc_url=doc_url, actor="bundled")
    return reports
