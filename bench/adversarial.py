"""Redaction and matching stay linear on hostile pastes.

For each adversarial shape, a 10 KB and a 40 KB text; each redacted by today's redactor
(`bot.core.redaction.redact`, detect-secrets' detectors plus our rules), by the redactor as it was
before (`bench/redact_before.py`, the baseline, in the same process), and matched by the matcher on
the bundled knowledge base. Medians of repeated runs; results to bench/results/adversarial.md.

Targets (issue 11): ≤ 0.7 ms/KB at 40 KB and growth ≤ 4.7x from 10 KB to 40 KB, for every shape.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from redact_before import redact as redact_before  # noqa: E402

from bot.core.redaction import redact  # noqa: E402
from knowledge.bundled import bundled_rows  # noqa: E402
from knowledge.importer.rows import entries_from_rows  # noqa: E402
from knowledge.matching.matcher import Matcher  # noqa: E402

SHAPES: dict[str, str] = {
    "20-char AK run": "HPUAQ7XKZ2M4N5B6V8C9 ",
    "40-char SK run": "Zx9Qm2Lk7Jh5Gf3Ds1Ap0Oi8Uy6Tr4Ew2Qa9Sd7/",
    "password= repeated": "password=",
    "x-auth-token: repeated": "x-auth-token: ",
    "quotes": '"',
    "quoted keys": '"password": "',
    "MII prefix": "MII",
    "URL user:pass@": "://u:p@",
    "@ only": "@",
    "colons": "a:",
    "equals": "=",
    "BEGIN PRIVATE KEY, no END": "-----BEGIN PRIVATE KEY-----\n",
    "eyJ (JWT start)": "eyJ",
    "JWT dots": "eyJa.b",
    "xoxb- dashes": "xoxb-1-",
    "curl -u": "-u a:",
    "OBS AK:": "OBS HPUAQ7XKZ2M4N5B6V8C9:",
    "Signature=": "Signature=",
    "backslashes": "\\",
    "AIS codes": "AIS.0027 ",
    "words": "the service does not exist ",
    "NUL bytes": "\x00a",
}


def text_of(chunk: str, size: int) -> str:
    return (chunk * (size // len(chunk) + 1))[:size]


def _cpu(fn: Callable[[str], object], text: str) -> float:
    # CPU time of this process: a shared machine's other work does not count against it.
    start = time.process_time()
    fn(text)
    return time.process_time() - start


def medians(fn: Callable[[str], object], small: str, big: str, repeat: int) -> tuple[float, float]:
    """Median CPU seconds at 10 KB and at 40 KB, the two sizes interleaved so load hits both alike."""
    fn(small), fn(big)
    runs = [(_cpu(fn, small), _cpu(fn, big)) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "adversarial.md")
    args = parser.parse_args()
    service, _, rows = bundled_rows("content-moderation.json")
    matcher = Matcher(entries_from_rows(rows, service))
    load = os.getloadavg()[0]
    lines = [
        "# Adversarial pastes: redaction and matching",
        "",
        f"`python bench/adversarial.py` on {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}; load average {load:.1f} at the start (a shared VM). Medians of "
        f"{args.repeat} runs (CPU time of the process) after a warm-up. ms/KB at 40 KB, and growth = "
        "time(40 KB) / time(10 KB) (4.0 is linear). Targets: ≤ 0.7 ms/KB and growth ≤ 4.7x. "
        "'before' is the redactor of 724dcf2 (`bench/redact_before.py`), in the same process; "
        "'match' is `Matcher.match` (paste mode) on the bundled knowledge base.",
        "",
        "| shape | redact ms/KB | growth | before ms/KB | growth | new / before at 40 KB "
        "| match ms/KB | growth | ok |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    worst_ms, worst_growth, failures = 0.0, 0.0, []
    for name, chunk in SHAPES.items():
        small, big = text_of(chunk, 10_000), text_of(chunk, 40_000)
        row = []
        for fn in (redact, redact_before, lambda t: matcher.match(t, "paste")):
            t10, t40 = medians(fn, small, big, args.repeat)
            row.append((t40 * 1000 / 40, t40 / max(t10, 1e-9), t40))
        (r_ms, r_g, r_t), (b_ms, b_g, b_t), (m_ms, m_g, _) = row
        ok = all(ms <= 0.7 and g <= 4.7 for ms, g in ((r_ms, r_g), (m_ms, m_g)))
        worst_ms = max(worst_ms, r_ms, m_ms)
        worst_growth = max(worst_growth, r_g, m_g)
        if not ok:
            failures.append(name)
        lines.append(
            f"| {name!r} | {r_ms:.3f} | {r_g:.1f}x | {b_ms:.3f} | {b_g:.1f}x | {r_t / max(b_t, 1e-9):.1f}x "
            f"| {m_ms:.3f} | {m_g:.1f}x | {'✓' if ok else '✗'} |"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        f"Worst: {worst_ms:.3f} ms/KB, growth {worst_growth:.1f}x; "
        + (f"over target: {', '.join(failures)}." if failures else "every shape within the targets."),
        "",
    ]
    args.out.write_text("\n".join(lines))
    print(lines[-2])


if __name__ == "__main__":
    main()
