"""The machine interface: JSON lines in, one JSON line of findings out per line, in order.

Input lines are `{"id": ..., "text": "...", "mode": "paste" | "lookup"}` (mode optional, paste by
default), or `{"id": ..., "image": "PATH"}` when the caller can read images (`Images`): its text
is matched in paste mode, strictly (knowledge.matching.unclear). Output lines are
`{"id": ..., "findings": [{"code", "service", "confident", "score", "candidates": [codes]}]}`
(with `"service": null` and `"services": [slugs]` when the code is in several services and
nothing in the text says which), or `{"id": ..., "error": "..."}` for a line that cannot be read;
one bad line never stops the run.

Run as `python -m knowledge.matching.jsonl [--page FILE --service NAME ...]` it builds a Matcher
straight from error-code pages (by default the bundled seed page), without a database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from knowledge.matching.findings import Finding
from knowledge.matching.matcher import Matcher, Mode
from knowledge.matching.unclear import read_clearly
from knowledge.types import EntryData

MODES = ("paste", "lookup")

# An image's path → (its text, the part read clearly); raises with a reason it cannot be read.
Images = Callable[[str], tuple[str, str]]


def finding_json(f: Finding) -> dict[str, Any]:
    cands = [f.code] if f.confident else []
    cands += [c.code for c in f.candidates if c.code not in cands]
    out: dict[str, Any] = {
        "code": f.code,
        "service": f.service,
        "confident": f.confident,
        "score": f.score,
        "candidates": cands[:5],
    }
    if f.services:  # the code is in several services and nothing said which: "service" is null
        out["services"] = list(f.services)
    return out


def _answer(matcher: Matcher, line: str, images: Images | None = None) -> dict[str, Any] | None:
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except ValueError as exc:
        return {"id": None, "error": f"not JSON: {exc}"}
    if not isinstance(record, dict):
        return {"id": None, "error": "a line must be a JSON object"}
    rid = record.get("id")
    if isinstance(rid, (dict, list)):
        return {"id": None, "error": "id must be a string or a number"}
    if "image" in record and "text" not in record:
        return _image_answer(matcher, rid, record["image"], images)
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": rid, "error": "text must be a string"}
    asked = record.get("mode") or "paste"
    if asked not in MODES:
        return {"id": rid, "error": f"mode must be one of {', '.join(MODES)}"}
    mode: Mode = "lookup" if asked == "lookup" else "paste"
    try:
        findings = matcher.match(text, mode)
    except Exception as exc:  # one odd text must not end the run for every line after it
        return {"id": rid, "error": f"{type(exc).__name__}: {exc}"}
    return {"id": rid, "findings": [finding_json(f) for f in findings]}


def _image_answer(matcher: Matcher, rid: Any, path: Any, images: Images | None) -> dict[str, Any]:
    if images is None:
        return {"id": rid, "error": "images are not read here"}
    if not isinstance(path, str) or not path:
        return {"id": rid, "error": "image must be a file path"}
    try:
        text, clear = images(path)
        findings = read_clearly(matcher.match(text, "paste"), matcher.match(clear, "paste"))
    except Exception as exc:  # one unreadable image must not end the run
        return {"id": rid, "error": str(exc) or type(exc).__name__}
    return {"id": rid, "findings": [finding_json(f) for f in findings]}


def run_jsonl(matcher: Matcher, lines: Iterable[str], images: Images | None = None) -> Iterator[str]:
    """One output line (without newline) per non-blank input line, in input order."""
    for line in lines:
        answer = _answer(matcher, line, images)
        if answer is not None:
            yield json.dumps(answer, ensure_ascii=False)


def entries_from_files(pages: list[tuple[Path, str]]) -> list[EntryData]:
    from knowledge.importer.load import read_page
    from knowledge.importer.rows import entries_from_rows

    entries: list[EntryData] = []
    for path, service in pages:
        entries += entries_from_rows(read_page(path).rows, service)
    return entries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--page", action="append", type=Path, help="an error-code page (.txt, .html, .rst)")
    ap.add_argument("--service", action="append", help="the service of each --page, in order")
    args = ap.parse_args(argv)
    if args.page:
        services = args.service or []
        if len(services) != len(args.page):
            ap.error("give one --service per --page")
        entries = entries_from_files(list(zip(args.page, services, strict=True)))
    else:
        from knowledge.matching.entries import bundled_entries

        entries = bundled_entries()  # the seed page, as bundled with hwerror
    matcher = Matcher(entries)
    for out in run_jsonl(matcher, sys.stdin):
        sys.stdout.write(out + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
