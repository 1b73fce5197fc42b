"""Score screenshots as ../shared/eval/score.py scores pastes: `hwerror match --jsonl` on image lines.

    python bench/ocr_eval.py [DIR] [--cmd ".venv/bin/hwerror match --jsonl"] [--show-misses]

DIR holds the images and their labels.jsonl (default ../shared/eval/screenshots). An image is
fully right when the set of codes the bot is confident about equals `expect` (or one of `accept`).
Also counted: confident codes that are neither (wrong confident answers), and replies to images
with no error (any finding on a `silent-*` image: the bot would post a card in the thread).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(os.environ.get("HWERROR_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def score(labels: list[dict[str, Any]], outputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    by_kind: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    right = wrong = replies = silent = errors = 0
    misses = []
    for lab in labels:
        rec = outputs.get(lab["file"], {})
        errors += "error" in rec
        findings = rec.get("findings", [])
        got = sorted({f["code"] for f in findings if f.get("confident")})
        accept = [sorted(lab["expect"])] + [sorted(a) for a in lab.get("accept", [])]
        ok = got in accept
        right += ok
        wrong += any(code not in {c for a in accept for c in a} for code in got)
        if lab["kind"].startswith("silent"):
            silent += 1
            replies += bool(findings)
        by_kind[lab["kind"]][0] += ok
        by_kind[lab["kind"]][1] += 1
        if not ok:
            misses.append((lab["file"], lab["expect"], got, rec.get("error")))
    return {
        "images": len(labels),
        "right": right,
        "wrong_confident": wrong,
        "replies_to_silent": replies,
        "silent": silent,
        "errors": errors,
        "by_kind": dict(by_kind),
        "misses": misses,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR / "eval" / "screenshots")
    ap.add_argument("--cmd", default=".venv/bin/hwerror match --jsonl")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    labels = [json.loads(x) for x in (args.dir / "labels.jsonl").read_text().splitlines() if x.strip()]
    stdin = "".join(
        json.dumps({"id": lab["file"], "image": str(args.dir / lab["file"])}) + "\n" for lab in labels
    )
    started = time.perf_counter()
    proc = subprocess.run(shlex.split(args.cmd), input=stdin, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return 1
    outputs = {rec["id"]: rec for rec in map(json.loads, proc.stdout.splitlines()) if rec.get("id")}
    s = score(labels, outputs)
    print(f"images: {s['images']}   wall: {wall:.1f}s ({wall / max(1, s['images']):.2f}s per image)")
    for kind, (ok, total) in sorted(s["by_kind"].items()):
        print(f"  {kind:<18} {ok:>3}/{total:<3}")
    print(f"fully right: {s['right']}/{s['images']} = {s['right'] / max(1, s['images']):.1%}")
    print(f"wrong confident answers: {s['wrong_confident']}")
    print(f"replies to images without an error: {s['replies_to_silent']}/{s['silent']}")
    print(f"images not read: {s['errors']}")
    if args.show_misses:
        for miss in s["misses"]:
            print("MISS", *miss, sep=" | ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
