"""Seconds from a broken Socket Mode link to the next connection, for each way a link breaks.

    .venv/bin/python bench/socket_reconnect.py [--runs 3]

Runs the real `hwerror serve --socket-mode` against a local Socket Mode endpoint
(testing/slack/socket_mode.py) and FakeSlack, breaks the link (TCP reset, pings unanswered,
nothing read, close frame, `disconnect` message, and a reset while apps.connections.open fails
3 times), and times the new connection. Writes bench/results/socket_reconnect.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.db import make_engine  # noqa: E402
from knowledge.schema import upgrade  # noqa: E402
from testing.slack.requests import BOT_TOKEN, slash_fields  # noqa: E402
from testing.slack.server import FakeSlack  # noqa: E402
from testing.slack.socket_mode import Link, SocketModeServer  # noqa: E402

OUT = REPO / "bench" / "results" / "socket_reconnect.md"


def _fail_open_then_reset(slack: FakeSlack, link: Link) -> None:
    slack.fail(
        "apps.connections.open", status=503, body={"ok": False, "error": "x"}, retry_after=None, times=3
    )
    link.reset()


BREAKS: dict[str, Callable[[FakeSlack, Link], None]] = {
    "TCP reset": lambda s, link: link.reset(),
    "half-open: pings unanswered": lambda s, link: link.go_silent(),
    "half-open: nothing read": lambda s, link: link.go_silent(stop_reading=True),
    "close frame": lambda s, link: link.close(1001),
    "`disconnect` message": lambda s, link: link.disconnect(),
    "reset + connections.open fails 3x": _fail_open_then_reset,
}


def one_run(db_url: str, how: str) -> float:
    with FakeSlack() as slack, SocketModeServer() as endpoint:
        endpoint.attach(slack)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HWERROR_"))}
        env.update(
            {
                "DATABASE_URL": db_url,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_APP_TOKEN": "xapp-1-bench",
                "SLACK_API_BASE_URL": slack.api_url,
            }
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--socket-mode"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            first = endpoint.wait_for_link(1, timeout=120)
            first.wait_for_ack(first.envelope("slash_commands", slash_fields("help")))
            time.sleep(2)  # a few pings and pongs on the link first
            broke = time.monotonic()
            BREAKS[how](slack, first)
            second = endpoint.wait_for_link(2, timeout=60)
            took = second.opened_at - broke
            second.wait_for_ack(second.envelope("slash_commands", slash_fields("help")))
            return took
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'x.db'}"
        engine = make_engine(db_url)
        upgrade(engine)
        engine.dispose()
        rows = []
        for how in BREAKS:
            times = [one_run(db_url, how) for _ in range(args.runs)]
            rows.append(f"| {how} | {statistics.median(times):.2f} | {max(times):.2f} |")
            print(rows[-1], flush=True)
    text = "\n".join(
        [
            "# Socket Mode reconnect",
            "",
            f"`.venv/bin/python bench/socket_reconnect.py --runs {args.runs}`: seconds from the break to the "
            "next websocket connection (the envelope sent on it was acked every time). slack_sdk's built-in "
            "client at ping_interval 1 s with our backoff (bot/slack/socket_mode.py); Bolt's defaults "
            "(ping_interval 10 s) took 50-75 s for a reset or half-open link.",
            "",
            "| break | median s | max s |",
            "|---|---:|---:|",
            *rows,
        ]
    )
    OUT.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
