"""Benchmark: an incident storm through the real HTTP server against a Slack that pushes back.

    .venv/bin/python bench/storm.py [--db sqlite,postgresql] [--mode http,socket] [--pastes 120]
                                    [--channels 10] [--commands 60] [--spread 4]

The local Slack (testing/slack/server.py) holds every channel to one chat.postMessage per second
(faster posts get 429 + Retry-After, as Slack does), answers some posts `ratelimited` and some
with a 5xx, and hangs once (the post is made, the answer comes after the client's timeout).
Against it, `hwerror serve --http` (2 gunicorn workers, the configuration it ships with), or
`hwerror serve --socket-mode` over a local Socket Mode endpoint (testing/slack/socket_mode.py),
gets `--pastes` pasted errors spread over `--channels` channels within `--spread` seconds, and
`--commands` slash commands arriving throughout.

Reported per database:
- command time to response (the card comes in the acknowledgement): p50, p99, max (goals: p99
  < 500 ms, none over 3 s);
- replies delivered exactly once (goal: every paste answered once, none twice);
- time to drain (first paste to last reply) against the floor the rate limit sets: each channel's
  replies one per second from their pastes' arrival (goal: <= 1.2x the floor).
Writes bench/results/storm.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.bundled import load_bundled  # noqa: E402
from knowledge.db import make_engine, transaction  # noqa: E402
from knowledge.schema import upgrade  # noqa: E402
from testing.databases import scratch_database  # noqa: E402
from testing.slack.requests import AppProcess, event_body, message, new_ts, slash_fields, uniq  # noqa: E402
from testing.slack.server import FakeSlack  # noqa: E402
from testing.slack.socket_mode import Link, SocketModeServer  # noqa: E402

CODES = ["AIS.0027", "AIS.0005", "AIS.0002", "AIS.0021", "AIS.0013"]
RATE = 1.0  # seconds between two posts to one channel, as Slack enforces it here


def paste(code: str, i: int) -> str:
    return f'{{"error_code": "{code}", "error_msg": "failed", "request_id": "req-{i:05d}"}}'


def floor_seconds(arrivals: dict[str, list[float]], start: float) -> float:
    """The earliest the last reply could land: each channel one post per RATE, none before its paste."""
    last = start
    for times in arrivals.values():
        t = -1e9
        for a in sorted(times):
            t = max(a, t + RATE)
        last = max(last, t)
    return last - start


class Http:
    """Requests through the real HTTP server."""

    def __init__(self, app: AppProcess) -> None:
        self.app = app

    def paste(self, event: dict[str, object]) -> int:
        return self.app.event(event, event_id=uniq("Ev")).status

    def command(self, text: str, channel: str) -> bool:
        return self.app.command(text, channel=channel).status == 200


class Socket:
    """Envelopes over the Socket Mode link; a request counts as answered when it is acked."""

    def __init__(self, link: Link) -> None:
        self.link = link

    def paste(self, event: dict[str, object]) -> int:
        body = json.loads(event_body(event, event_id=uniq("Ev")))
        try:
            self.link.wait_for_ack(self.link.envelope("events_api", body), timeout=10)
        except AssertionError:
            return 0
        return 200

    def command(self, text: str, channel: str) -> bool:
        ack = self.link.wait_for_ack(
            self.link.envelope("slash_commands", slash_fields(text, channel=channel))
        )
        return bool(ack.get("payload"))


def storm(kind: str, mode: str, args: argparse.Namespace) -> dict[str, object]:
    with scratch_database(kind) as url, FakeSlack() as slack, SocketModeServer() as endpoint:
        engine = make_engine(url)
        upgrade(engine)
        with transaction(engine) as session:
            load_bundled(session)
        engine.dispose()
        slack.limit_channels(RATE)
        # Refusals that pass, mixed into the storm: a few `ratelimited`, a few 5xx, one hang.
        slack.fail(
            "chat.postMessage",
            status=200,
            body={"ok": False, "error": "ratelimited"},
            retry_after=None,
            times=3,
        )
        slack.fail(
            "chat.postMessage", status=503, body={"ok": False, "error": "service_unavailable"}, times=3
        )
        slack.hang("chat.postMessage", seconds=8.0)
        env = {"HWERROR_ESCALATE_COUNT": "100000"}  # replies only: no escalation notices in the threads
        if mode == "socket":
            endpoint.attach(slack)
            env["SLACK_APP_TOKEN"] = "xapp-1-bench-app-token"
        app = AppProcess(db_url=url, slack=slack, env=env)
        try:
            if mode == "socket":
                app.launch()
                driver: Http | Socket = Socket(endpoint.wait_for_link(1, timeout=90))
            else:
                driver = Http(app.start())
            return _run(driver, slack, args)
        finally:
            app.stop()
            print(f"{kind}/{mode}: the server's log is {app.log}")


def _run(driver: Http | Socket, slack: FakeSlack, args: argparse.Namespace) -> dict[str, object]:
    channels = [uniq("CSTORM") for _ in range(args.channels)]
    arrivals: dict[str, list[float]] = {c: [] for c in channels}
    threads: dict[str, str] = {}  # paste ts -> channel
    command_times: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = time.monotonic()

    def send_pastes(worker: int, workers: int) -> None:
        for i in range(worker, args.pastes, workers):
            at = start + args.spread * i / args.pastes
            time.sleep(max(0.0, at - time.monotonic()))
            channel, ts = channels[i % len(channels)], new_ts()
            sent = time.monotonic()
            status = driver.paste(message(channel, paste(CODES[i % len(CODES)], i), ts=ts))
            with lock:
                statuses[status] += 1
                arrivals[channel].append(sent)
                threads[ts] = channel

    def send_commands() -> None:
        for i in range(args.commands):
            at = start + (args.spread + 2) * i / args.commands
            time.sleep(max(0.0, at - time.monotonic()))
            began = time.monotonic()
            answered = driver.command(CODES[i % len(CODES)], channels[i % len(channels)])
            took = time.monotonic() - began
            with lock:
                command_times.append(took if answered else float("inf"))

    workers = [threading.Thread(target=send_pastes, args=(w, 8)) for w in range(8)]
    workers.append(threading.Thread(target=send_commands))
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    deadline = time.monotonic() + 120
    last_reply = start
    while time.monotonic() < deadline:
        answered = _answered(slack, threads)
        if len(answered) == len(threads):
            last_reply = max(c.at for c in slack.find("chat.postMessage") if c.answer and c.answer.get("ok"))
            break
        time.sleep(0.2)
    time.sleep(2.0)  # a second copy would arrive now, if one were on its way
    answered = _answered(slack, threads)
    drain = last_reply - start
    floor = floor_seconds(arrivals, start)
    times = sorted(command_times)
    return {
        "pastes": len(threads),
        "acked": statuses[200],
        "answered once": sum(1 for n in answered.values() if n == 1),
        "answered twice or more": sum(1 for n in answered.values() if n > 1),
        "unanswered": len(threads) - len(answered),
        "commands": len(times),
        "p50 ms": statistics.median(times) * 1000,
        "p99 ms": times[max(0, int(len(times) * 0.99) - 1)] * 1000,
        "max ms": times[-1] * 1000,
        "over 3 s": sum(1 for t in times if t > 3.0),
        "drain s": drain,
        "floor s": floor,
        "ratio": drain / floor if floor else float("nan"),
        "429s": len([c for c in slack.find("chat.postMessage") if c.answered == 429]),
    }


def _answered(slack: FakeSlack, threads: dict[str, str]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for ts, channel in threads.items():
        for m in slack.messages.get(channel, []):
            if m.get("thread_ts") == ts:
                counts[ts] += 1
    return dict(counts)


def write(results: dict[str, dict[str, object]], args: argparse.Namespace) -> Path:
    path = ROOT / "bench" / "results" / "storm.md"
    lines = [
        "# Storm: pasted errors and slash commands against a Slack that pushes back",
        "",
        f"`{' '.join(['.venv/bin/python', 'bench/storm.py', *sys.argv[1:]])}` on {platform.node()} "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        f"{args.pastes} pastes over {args.channels} channels within {args.spread} s, {args.commands} slash "
        f"commands throughout; Slack allows one post per channel per {RATE:g} s (429 + Retry-After beyond), "
        "answers 3 posts `ratelimited`, 3 with a 503, and hangs once for 8 s after posting.",
        "",
        "| | " + " | ".join(results) + " |",
        "|---|" + "---|" * len(results),
    ]
    keys = list(next(iter(results.values())))
    for key in keys:
        cells = []
        for r in results.values():
            v = r[key]
            cells.append(f"{v:.2f}" if isinstance(v, float) else str(v))
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Goals: command p99 < 500 ms and none over 3 s; every paste answered exactly once; "
        "drain <= 1.2x the floor (the floor: each channel's replies one per second, none before its paste).",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--mode", default="http,socket", help="http, socket, or both")
    parser.add_argument("--pastes", type=int, default=120)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--commands", type=int, default=60)
    parser.add_argument("--spread", type=float, default=4.0)
    args = parser.parse_args()
    results = {
        f"{kind}, {mode}": storm(kind, mode, args)
        for kind in args.db.split(",")
        for mode in args.mode.split(",")
    }
    for kind, r in results.items():
        print(kind, {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()})
    print("wrote", write(results, args))


if __name__ == "__main__":
    main()
