"""Stricter findings for text that was read off an image rather than typed.

OCR can misread a code into another real one, so the text an image gives comes in two parts: all
of it, with misread codes mended, and the part that was read clearly. A finding of the whole is
confident only when the clear part alone finds the same code; otherwise it becomes a "did you
mean" (its entry first among the candidates). A code the knowledge base lacks, found only in the
mended text, is dropped: a misread fragment is not a knowledge gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from knowledge.matching.findings import CONFIDENT, MAX_CANDIDATES, Finding


def unsure(finding: Finding) -> Finding:
    """The same finding as a guess: not confident, scored below the bar, its entry offered first."""
    candidates = finding.candidates
    if finding.entry is not None:
        candidates = (finding.entry, *(c for c in candidates if c.key != finding.entry.key))
    return replace(
        finding,
        confident=False,
        score=min(finding.score, round(CONFIDENT - 0.01, 2)),
        candidates=candidates[:MAX_CANDIDATES],
    )


def read_clearly(findings: Iterable[Finding], clear_findings: Iterable[Finding]) -> list[Finding]:
    clear = {f.code for f in clear_findings}
    out = []
    for f in findings:
        if f.code in clear:
            out.append(f)
        elif f.known:
            out.append(unsure(f) if f.confident else f)
    return out
