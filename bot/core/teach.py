"""Teaching the knowledge base from a front end: a code it lacks, or better handling for one it
has. Admin-gated like team notes; every change is in the audit trail, and every process sees it
within seconds (the catalogue notices the changed entries at its next check)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.importer.rows import CODE_RE
from knowledge.services import normalise_service
from knowledge.types import EntryData, WhoActs

TEXT_MAX = 2000
_URL = re.compile(r"^https?://\S{1,490}$")


@dataclass(frozen=True)
class Lesson:
    """What a person typed into "Add to knowledge base" (or `/teach`, `hwerror kb add`)."""

    service: str
    code: str
    message: str
    description: str = ""
    handling: str = ""
    doc_url: str | None = None
    status: int | None = None
    who_acts: WhoActs | None = None  # None: read from the handling text

    def problems(self) -> dict[str, str]:
        """Field → what is wrong with it (empty when the lesson can be saved)."""
        out: dict[str, str] = {}
        if not normalise_service(self.service):
            out["service"] = "Name the service (e.g. OCR or content-moderation)."
        if not CODE_RE.match(self.code.strip()):
            out["code"] = f"{self.code.strip()[:40]!r} is not an error code."
        if not self.message.strip():
            out["message"] = "Write the error message the service returns."
        if self.doc_url and not _URL.match(self.doc_url.strip()):
            out["doc_url"] = "The doc link must be an http(s) URL."
        if self.status is not None and not 100 <= self.status <= 599:
            out["status"] = "An HTTP status is a number from 100 to 599."
        return out

    def entry_data(self) -> EntryData:
        message = self.message.strip()[:TEXT_MAX]
        return EntryData(
            service=normalise_service(self.service),
            code=self.code.strip(),
            variant=0,
            status=self.status,
            message=message,
            description=(self.description.strip() or message)[:TEXT_MAX],
            handling=self.handling.strip()[:TEXT_MAX],
            doc_url=(self.doc_url or "").strip() or None,
            who_acts_override=self.who_acts,
        )


_WHO_PREFIX = re.compile(r"^\s*who(?:[ _]acts)?\s*[:=]\s*", re.IGNORECASE)


def who_acts_of(text: str) -> WhoActs | None:
    """Who acts as a person typed it (`huawei`, `who acts: billing`, `auto`); BadRequest if it is
    no one."""
    from bot.core.errors import BadRequest

    try:
        return WhoActs.parse(_WHO_PREFIX.sub("", text))
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
