"""Memory per gunicorn worker with a 50,000-entry knowledge base: the index built once in the master
before the fork (HWERROR_PRELOAD=1, the default) against each worker building its own (=0).

    .venv/bin/python bench/memory.py [--entries 50000] [--workers 2]

Runs the real `hwerror serve --http` (against a local FakeSlack) on a SQLite file filled with
bench/match.py's entries, sends a few lookups to every worker, then reads each process's
/proc/<pid>/smaps_rollup: RSS (what `ps` shows: shared pages counted in every process), PSS
(shared pages divided among the processes sharing them) and USS (private pages: what killing the
worker would free). Writes bench/results/memory.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from match import big_entries  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from knowledge.db import make_engine, transaction  # noqa: E402
from knowledge.models import Entry  # noqa: E402
from knowledge.schema import upgrade  # noqa: E402
from testing.slack.requests import AppProcess  # noqa: E402
from testing.slack.server import FakeSlack  # noqa: E402

OUT = REPO / "bench" / "results" / "memory.md"


def fill(db_url: str, size: int) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    rows = [
        {
            "service": e.service,
            "code": e.code,
            "variant": e.variant,
            "status": e.status,
            "message": e.message,
            "description": e.description,
            "handling": e.handling,
        }
        for e in big_entries(size)
    ]
    with transaction(engine) as session:
        session.execute(insert(Entry), rows)
    engine.dispose()


def rollup(pid: int) -> dict[str, int]:
    """kB figures of /proc/<pid>/smaps_rollup; USS = private clean + private dirty."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        found[name.strip()] = int(value.split()[0])
    found["USS"] = found.get("Private_Clean", 0) + found.get("Private_Dirty", 0)
    return found


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def measure(db_url: str, preload: bool, workers: int) -> dict[str, list[dict[str, int]]]:
    with FakeSlack() as slack:
        env = {
            "HWERROR_PRELOAD": "1" if preload else "0",
            "WEB_CONCURRENCY": str(workers),
            "WEB_THREADS": "4",
        }
        app = AppProcess(db_url=db_url, slack=slack, env=env)
        app.start(timeout=600)
        try:
            for i in range(40):  # lookups reach every worker: each has built what it uses
                assert app.command(f"AIS.00{27 + i % 5}").status == 200
            time.sleep(2)
            assert app.proc is not None
            master = app.proc.pid
            kids = children(master)
            return {"master": [rollup(master)], "workers": [rollup(k) for k in kids]}
        finally:
            app.stop()


def render(results: dict[bool, dict[str, list[dict[str, int]]]], size: int, workers: int) -> str:
    lines = [
        "# Memory per gunicorn worker",
        "",
        f"`.venv/bin/python bench/memory.py --entries {size} --workers {workers}`: `hwerror serve --http`, "
        f"{workers} workers x 4 threads, SQLite, a {size:,}-entry knowledge base, after 40 lookups. "
        "MiB from /proc/<pid>/smaps_rollup; RSS counts shared pages in every process, PSS divides "
        "them among the sharers, USS is the worker's private memory.",
        "",
        "| index built | process | RSS | PSS | USS (private) |",
        "|---|---|---:|---:|---:|",
    ]
    for preload, label in ((True, "once, in the master (HWERROR_PRELOAD=1)"), (False, "in each worker (=0)")):
        got = results[preload]
        rows = [("master", got["master"][0])] + [(f"worker {i + 1}", w) for i, w in enumerate(got["workers"])]
        for name, r in rows:
            mib = [f"{r[k] / 1024:.0f}" for k in ("Rss", "Pss", "USS")]
            lines.append(f"| {label} | {name} | {' | '.join(mib)} |")
        total = sum(r["Pss"] for _, r in rows) / 1024
        lines.append(f"| {label} | **all (PSS sum)** | | **{total:.0f}** | |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'big.db'}"
        fill(db_url, args.entries)
        results = {preload: measure(db_url, preload, args.workers) for preload in (True, False)}
    text = render(results, args.entries, args.workers)
    OUT.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
