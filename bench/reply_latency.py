"""Benchmark: how soon a healthy Slack sees the reply to a pasted error.

    .venv/bin/python bench/reply_latency.py [--db sqlite,postgresql] [--pastes 30]

`hwerror serve --http` against the local Slack with no limits; one paste at a time (each in its
own channel, 0.3 s apart), timed from sending the event to the reply's chat.postMessage
arriving. Reported: p50, p90, max. Goal: about 100 ms (the reply was posted inline before the
outbox; it now goes through the kept request, an answer worker and the chat sender).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.bundled import load_bundled  # noqa: E402
from knowledge.db import make_engine, transaction  # noqa: E402
from knowledge.schema import upgrade  # noqa: E402
from testing.databases import scratch_database  # noqa: E402
from testing.slack.requests import AppProcess, message, new_ts, uniq  # noqa: E402
from testing.slack.server import Call, FakeSlack  # noqa: E402

PASTE = '{"error_code": "AIS.0027", "error_msg": "The account has been frozen."}'


def _in(channel: str) -> Callable[[Call], bool]:
    return lambda c: c.body.get("channel") == channel


def measure(kind: str, pastes: int) -> list[float]:
    with scratch_database(kind) as url, FakeSlack() as slack:
        engine = make_engine(url)
        upgrade(engine)
        with transaction(engine) as session:
            load_bundled(session)
        engine.dispose()
        app = AppProcess(db_url=url, slack=slack, env={"HWERROR_ESCALATE_COUNT": "100000"}).start()
        try:
            app.command("AIS.0027")  # warm: the first request of each worker
            took = []
            for _ in range(pastes):
                channel = uniq("CLAT")
                sent = time.monotonic()
                app.event(message(channel, PASTE, ts=new_ts()), event_id=uniq("Ev"))
                (call,) = slack.wait_for("chat.postMessage", _in(channel))
                took.append(call.at - sent)
                time.sleep(0.3)
            return took
        finally:
            app.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--pastes", type=int, default=30)
    args = parser.parse_args()
    for kind in args.db.split(","):
        took = sorted(measure(kind, args.pastes))
        p90 = took[int(len(took) * 0.9) - 1]
        print(
            f"{kind}: event to reply p50 {statistics.median(took) * 1000:.0f} ms, "
            f"p90 {p90 * 1000:.0f} ms, max {took[-1] * 1000:.0f} ms ({len(took)} pastes)"
        )


if __name__ == "__main__":
    main()
