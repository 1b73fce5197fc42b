"""Benchmark: recording incidents and the escalation check at scale.

    .venv/bin/python bench/incidents.py [--rows 1000000] [--db sqlite,postgresql] [--seconds 5]

For each database: incidents recorded per second through the real path (record_incidents +
escalate_if_due, one transaction per message) with 1 and 8 writer threads; then the escalation
check (`code_activity`) timed at `--rows` stored incidents, with the migration's index and, as the
baseline in the same run, without it. Writes bench/results/incidents.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.incidents.enums import Source  # noqa: E402
from bot.core.incidents.models import Incident  # noqa: E402
from bot.core.incidents.policy import EscalationPolicy  # noqa: E402
from bot.core.incidents.record import Sighting, code_activity, escalate_if_due, record_incidents  # noqa: E402
from knowledge.bundled import load_bundled  # noqa: E402
from knowledge.clock import utcnow  # noqa: E402
from knowledge.db import make_engine, session_factory, transaction  # noqa: E402
from knowledge.schema import upgrade  # noqa: E402
from knowledge.types import WhoActs  # noqa: E402
from testing.databases import scratch_database  # noqa: E402
from testing.incidents import findings_in, seed_matcher  # noqa: E402


def pastes() -> list[str]:
    codes = sorted({e.code for e in seed_matcher().entries})
    return [f'{{"error_code": "{c}", "error_msg": "x"}}' for c in codes]


def write_throughput(engine: Engine, writers: int, seconds: float) -> float:
    texts = pastes()
    found = {t: findings_in(t) for t in texts}
    policy = EscalationPolicy(count=10**9, channels=10**9, support_count=10**9)
    stop = time.perf_counter() + seconds
    counts = [0] * writers

    def writer(n: int) -> None:
        rng = random.Random(n)
        while time.perf_counter() < stop:
            t = rng.choice(texts)
            sighting = Sighting(
                workspace="T1",
                channel=f"C{rng.randrange(40)}",
                message_key=f"{n}-{counts[n]}-{uuid.uuid4().hex[:6]}",
                source=Source.PASTE,
                text=t,
            )
            with transaction(engine) as session:
                for incident in record_incidents(session, sighting, found[t]):
                    escalate_if_due(session, incident, policy, backend="internal")
            counts[n] += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def bulk_load(engine: Engine, rows: int) -> None:
    codes = sorted({(e.service, e.code) for e in seed_matcher().entries})
    rng = random.Random(7)
    now = utcnow()
    batch = 20_000
    for start in range(0, rows, batch):
        values = []
        for i in range(start, min(rows, start + batch)):
            service, code = codes[int(rng.paretovariate(1.2)) % len(codes)]
            values.append(
                dict(
                    workspace="T1",
                    channel=f"C{rng.randrange(40)}",
                    message_key=f"bulk-{i}",
                    source=Source.PASTE,
                    service=service,
                    code=code,
                    variant=0,
                    known=True,
                    how="code",
                    confidence=1.0,
                    excerpt="bench",
                    created_at=now - timedelta(seconds=rng.randrange(30 * 86400)),
                )
            )
        with engine.begin() as conn:
            conn.execute(insert(Incident), values)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE incidents"))
        else:
            conn.execute(text("ANALYZE"))


def check_times(engine: Engine, samples: int = 300) -> list[float]:
    codes = sorted({(e.service, e.code) for e in seed_matcher().entries})
    rng = random.Random(3)
    policy = EscalationPolicy()
    out = []
    with session_factory(engine)() as session:
        for _ in range(samples):
            service, code = rng.choice(codes)
            probe = Incident(workspace="T1", service=service, code=code, channel="C0")
            start = time.perf_counter()
            code_activity(session, probe, policy, WhoActs.CALLER, utcnow())
            out.append((time.perf_counter() - start) * 1000)
            session.rollback()
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def run(kind: str, rows: int, seconds: float) -> list[str]:
    with scratch_database(kind) as url:
        return measure(kind, url, rows, seconds)


def measure(kind: str, url: str, rows: int, seconds: float) -> list[str]:
    engine = make_engine(url, pool_size=10, max_overflow=0) if kind != "sqlite" else make_engine(url)
    lines = []
    try:
        upgrade(engine)
        with transaction(engine) as session:
            load_bundled(session)
        for writers in (1, 8):
            rate = write_throughput(engine, writers, seconds)
            lines.append(f"| {kind} | record + escalate, {writers} writer(s) | {rate:,.0f} incidents/s | |")
            print(lines[-1], flush=True)
        t0 = time.perf_counter()
        bulk_load(engine, rows)
        with engine.connect() as conn:
            total = conn.execute(select(Incident.id).order_by(Incident.id.desc()).limit(1)).scalar()
        lines.append(f"| {kind} | bulk load to {total:,} incidents | {time.perf_counter() - t0:.1f} s | |")
        print(lines[-1], flush=True)
        indexed = check_times(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_incidents_code_recent"))
        baseline = check_times(engine, samples=30)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE INDEX ix_incidents_code_recent"
                    " ON incidents (workspace, service, code, created_at, channel)"
                )
            )
        median = statistics.median(indexed)
        ratio = statistics.median(baseline) / median
        lines.append(
            f"| {kind} | escalation check at {total:,} incidents | median {median:.2f} ms, "
            f"p99 {p(indexed, 99):.2f} ms | without the index: median {statistics.median(baseline):.1f} ms "
            f"({ratio:,.0f}x slower) |"
        )
        print(lines[-1], flush=True)
    finally:
        engine.dispose()
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    header = ["| database | what | result | baseline |", "|---|---|---|---|"]
    lines = []
    for kind in args.db.split(","):
        lines += run(kind.strip(), args.rows, args.seconds)
    out = Path(__file__).with_name("results") / "incidents.md"
    out.write_text(
        "# bench/incidents.py\n\n"
        f"`.venv/bin/python bench/incidents.py --rows {args.rows} --db {args.db} --seconds {args.seconds}`"
        f" on {time.strftime('%Y-%m-%d')} (2 cores; other work may have shared the machine).\n\n"
        + "\n".join(header + lines)
        + "\n\nTarget: escalation check under 5 ms at 1,000,000 incidents.\n"
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
