"""Benchmark: building the weekly digest over a million incidents.

    .venv/bin/python bench/digest.py [--rows 1000000] [--db sqlite,postgresql] [--runs 5]

Loads `--rows` incidents spread over 30 days (bench/incidents.py's loader), then times
`build_digest` for the current week: median and worst of `--runs`. As the baseline, in the same
run, the naive way: fetch the week's incidents and count them in Python. Targets: <= 1 s on
PostgreSQL, <= 3 s on SQLite. Writes bench/results/digest.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from incidents import bulk_load  # noqa: E402

from bot.core.digest.compute import build_digest  # noqa: E402
from bot.core.digest.weeks import Week, zone  # noqa: E402
from bot.core.incidents.models import Incident  # noqa: E402
from knowledge.bundled import load_bundled  # noqa: E402
from knowledge.clock import utcnow  # noqa: E402
from knowledge.db import make_engine, session_factory, transaction  # noqa: E402
from knowledge.schema import upgrade  # noqa: E402
from testing.databases import scratch_database  # noqa: E402


def naive(session, week: Week) -> int:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Incident.service, Incident.code, Incident.channel, Incident.known).where(
            Incident.created_at >= week.start, Incident.created_at < week.end
        )
    ).all()
    Counter((r.service, r.code) for r in rows if r.known).most_common(10)
    Counter(r.channel for r in rows).most_common(5)
    return len(rows)


def run(kind: str, rows: int, runs: int) -> str:
    with scratch_database(kind) as url:
        return measure(kind, url, rows, runs)


def measure(kind: str, url: str, rows: int, runs: int) -> str:
    engine = make_engine(url)
    try:
        upgrade(engine)
        with transaction(engine) as session:
            load_bundled(session)
        bulk_load(engine, rows)
        week = Week.containing(utcnow(), zone("Asia/Shanghai"))
        times, naive_times = [], []
        with session_factory(engine)() as session:
            for _ in range(runs):
                start = time.perf_counter()
                digest = build_digest(session, week)
                times.append(time.perf_counter() - start)
            for _ in range(max(2, runs // 2)):
                start = time.perf_counter()
                naive(session, week)
                naive_times.append(time.perf_counter() - start)
        median, naive_median = statistics.median(times), statistics.median(naive_times)
        line = (
            f"| {kind} | {rows:,} | {digest.total:,} | {median:.3f} s | {max(times):.3f} s "
            f"| {naive_median:.3f} s ({naive_median / median:.1f}x the digest) |"
        )
        print(line, flush=True)
        return line
    finally:
        engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    lines = [
        "| database | incidents stored | in the week | digest median | digest worst "
        "| baseline: fetch the week and count in Python (median) |",
        "|---|---|---|---|---|---|",
    ]
    for kind in args.db.split(","):
        lines.append(run(kind.strip(), args.rows, args.runs))
    out = Path(__file__).with_name("results") / "digest.md"
    out.write_text(
        "# bench/digest.py\n\n"
        f"`.venv/bin/python bench/digest.py --rows {args.rows} --db {args.db} --runs {args.runs}`"
        f" on {time.strftime('%Y-%m-%d')} (2 cores; other work may have shared the machine).\n\n"
        + "\n".join(lines)
        + "\n\nTargets: <= 1 s on PostgreSQL, <= 3 s on SQLite at 1,000,000 incidents.\n"
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
