"""What the matcher says about one error in a text."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.types import EntryData

# How a finding was made, strongest evidence first.
HOW_CODE = "code"  # the code as written is in the knowledge base
HOW_FUZZY_CODE = "fuzzy-code"  # a typed code that needed forgiving (ais 27, AlS.0027, modelart.4101)
HOW_MESSAGE = "message"  # a knowledge-base message, word for word, with no code
HOW_KEYWORDS = "keywords"  # words that resemble a message

CONFIDENT = 0.8  # confident findings score at least this, unsure ones less
MAX_CANDIDATES = 5  # the entries a finding offers to choose from, at most


@dataclass(frozen=True, slots=True)
class Finding:
    """One distinct error found in a text.

    `code` is the knowledge base's code when it is known, otherwise the code as found
    (normalised); `known` is False for a code the knowledge base lacks (a knowledge gap), which is
    never confident and carries "did you mean" `candidates`. `entry` is the chosen variant (by
    message, status and service) whenever the code is known. `score` is 0..1; `confident` is set
    only on strong, unambiguous evidence and then score >= 0.8, otherwise score < 0.8. A finding
    can be confident about the code and open about the service (`services`).
    """

    code: str
    service: str | None
    entry: EntryData | None
    known: bool
    confident: bool
    score: float
    candidates: tuple[EntryData, ...]
    how: str
    request_id: str | None = None
    status: int | None = None
    message: str | None = None
    span: tuple[int, int] | None = None  # where in the cleaned text (knowledge.matching.clean)
    # The code is in several services and nothing in the text or channel says which: `service`
    # is None and these are the services it may be (`entry` is one of them, to show).
    services: tuple[str, ...] = ()
