"""Benchmark: signed /hwerror slash commands through the real HTTP server.

    .venv/bin/python bench/slack_http.py [--db sqlite,postgresql] [--clients 1,8,32] [--seconds 2]
                                         [--rounds 6]

For each database, two servers run side by side on the same gunicorn configuration as
`hwerror serve` (2 gthread workers x 16 threads, the WSGI app of bot/server.py): the real app
(`hwerror serve`: signature check, middleware, matcher, card, knowledge gaps recorded) and a
bare Bolt app whose /hwerror handler only acks. Clients (threads with keep-alive connections)
send signed slash commands (a mix of exact codes, typos, message text, a JSON body and an
unknown code) for `--seconds` per run, measured after a one-second warm-up; bare and real runs
alternate, `--rounds` times, at each concurrency, and latencies are pooled over the rounds.
Reported: requests/s and p50/p99 time to the HTTP response. Targets: real >= 70% of bare
throughput and p99 < 100 ms at 32 clients. Writes bench/results/slack_http.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.bundled import load_bundled  # noqa: E402
from knowledge.db import make_engine, transaction  # noqa: E402
from knowledge.schema import upgrade  # noqa: E402
from testing.databases import scratch_database  # noqa: E402
from testing.slack.requests import AppProcess, sign, slash_fields  # noqa: E402
from testing.slack.requests import http as fetch  # noqa: E402
from testing.slack.server import FakeSlack  # noqa: E402

POSTGRES = os.environ.get("HWERROR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# REQUEST_ID is replaced per request: a pasted error body is never the same twice.
QUERIES = [
    "AIS.0027",
    "ais 27",
    "token is empty",
    '{"error_code": "AIS.0005", "error_msg": "x", "request_id": "REQUEST_ID"}',
    "AlS.0O13",
    "AIS.0999",
    "modelart.4101",
    "The image is too large",
]
WORKERS, THREADS = 2, 16

BARE = """
import sys
from slack_bolt import App
from bot.config import get_settings
from bot.slack.gunicorn_server import serve_http
from bot.slack.server import wsgi_app
from bot.slack.client import web_client
from knowledge.db import make_engine

def factory():
    settings = get_settings()
    app = App(client=web_client(settings), signing_secret=settings.slack_signing_secret.get_secret_value())
    app.command("/hwerror")(lambda ack: ack())
    return wsgi_app(app, make_engine(settings.database_url))

s = get_settings()
serve_http(factory, bind=s.bind, workers=s.web_concurrency, threads=s.web_threads)
"""


class BareProcess(AppProcess):
    def start(self, timeout: float = 30) -> AppProcess:
        self._log = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", BARE],
            env={**self.env, "PYTHONPATH": str(ROOT)},
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if fetch(self.url + "/healthz", timeout=2).status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(self.output())


def run_load(port: int, clients: int, seconds: float, warmup: float = 1.0) -> tuple[list[float], int]:
    """The response times (s) of the requests made within `seconds` after `warmup`, and errors."""
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = n
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            query = QUERIES[i % len(QUERIES)].replace("REQUEST_ID", f"{n:04d}-{i:08d}")
            body = urlencode(slash_fields(query, user=f"U{n}", channel=f"C{n}"))
            i += 1
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            t0 = time.monotonic()
            try:
                conn.request("POST", "/slack/events", body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            t1 = time.monotonic()
            if t0 >= measure_from and t1 <= stop_at:
                if ok:
                    latencies[n].append(t1 - t0)
                else:
                    errors[n] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [x for xs in latencies for x in xs], sum(errors)


def summary(latencies: list[float], seconds: float) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms)."""
    flat = sorted(latencies)
    if not flat:
        return 0.0, 0.0, 0.0
    p99 = flat[min(len(flat) - 1, int(len(flat) * 0.99))]
    return len(flat) / seconds, statistics.median(flat) * 1000, p99 * 1000


def bench_database(
    kind: str, clients_list: list[int], seconds: float, rounds: int
) -> list[dict[str, object]]:
    with scratch_database(kind) as url:
        return measure(kind, url, clients_list, seconds, rounds)


def measure(
    kind: str, url: str, clients_list: list[int], seconds: float, rounds: int
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        load_bundled(session)
    engine.dispose()
    with FakeSlack() as slack, tempfile.TemporaryDirectory() as cwd:
        env = {"WEB_CONCURRENCY": str(WORKERS), "WEB_THREADS": str(THREADS)}
        real = AppProcess(db_url=url, slack=slack, env=env, cwd=Path(cwd))
        bare = BareProcess(db_url=url, slack=slack, env=env, cwd=Path(cwd))
        real.start()
        bare.start()
        try:
            for clients in clients_list:
                result: dict[str, object] = {"db": kind, "clients": clients}
                pooled: dict[str, list[float]] = {"bare": [], "real": []}
                errors = {"bare": 0, "real": 0}
                # Rounds alternate bare and real, so a burst of other load on the machine falls on
                # both; latencies are pooled over the rounds.
                for r in range(rounds):
                    order = [("bare", bare), ("real", real)]
                    for name, proc in order if r % 2 == 0 else reversed(order):
                        lat, err = run_load(proc.port, clients, seconds)
                        pooled[name] += lat
                        errors[name] += err
                for name in ("bare", "real"):
                    rps, p50, p99 = summary(pooled[name], seconds * rounds)
                    result.update(
                        {
                            f"{name}_rps": rps,
                            f"{name}_p50": p50,
                            f"{name}_p99": p99,
                            f"{name}_errors": errors[name],
                        }
                    )
                    print(
                        f"{kind:10} {clients:3} clients {name:4}: {rps:7.0f} req/s  p50 {p50:6.1f} ms"
                        f"  p99 {p99:6.1f} ms  errors {errors[name]}",
                        flush=True,
                    )
                rows.append(result)
        finally:
            real.stop()
            bare.stop()
    return rows


NOTES = [
    "Notes:",
    "- About 11.7 ms at one client, for both apps, is slack-bolt's floor: with "
    "`process_before_response=False` the HTTP thread checks for `ack()` every 10 ms.",
    "- What keeps the real app close to the bare one: a command reads no database (cards come from a "
    "per-process cache, re-checked every 2 s; short queries' findings are remembered per matcher); "
    "rendered card blocks are memoised (slack_sdk's `to_dict()` validation was the costliest step); "
    "knowledge gaps are counted in memory and written about once a second; 16 threads per worker "
    "(with 32, the real app lost about a quarter of its throughput to GIL contention while the bare "
    "app did not change).",
    "- On SQLite, `knowledge/db.py` opens every transaction with `BEGIN IMMEDIATE`, so even a read "
    "takes the write lock. With one query per command, the real app managed about 250 req/s with "
    "p99 > 1 s at 32 clients; that is why commands read no database.",
]


def write_results(rows: list[dict[str, object]], args: argparse.Namespace, path: Path) -> None:
    out = [
        "# Slack HTTP benchmark: signed slash commands through the real server",
        "",
        f"Command: `.venv/bin/python bench/slack_http.py --db {args.db} --clients {args.clients} "
        f"--seconds {args.seconds:g} --rounds {args.rounds}`",
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()}. "
        f"Both servers: gunicorn gthread, {WORKERS} workers x {THREADS} threads (as `hwerror serve`), on "
        "127.0.0.1; the load generator (threads, keep-alive connections) runs on the same machine. "
        "Bare = a Bolt app whose /hwerror handler only calls ack(); real = `hwerror serve` (signature "
        "check, middleware, matching, the card's entry and notes from the per-process card cache, Block Kit, "
        "knowledge gaps written after the ack). Queries rotate over: "
        + ", ".join(f"`{q}`" for q in QUERIES)
        + ".",
        "",
        "| database | clients | bare req/s | real req/s | real / bare | bare p50 / p99 ms "
        "| real p50 / p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = (r["real_rps"] / r["bare_rps"]) if r["bare_rps"] else 0.0  # type: ignore[operator]
        out.append(
            f"| {r['db']} | {r['clients']} | {r['bare_rps']:.0f} | {r['real_rps']:.0f} | {ratio:.0%} | "
            f"{r['bare_p50']:.1f} / {r['bare_p99']:.1f} | {r['real_p50']:.1f} / {r['real_p99']:.1f} | "
            f"{r['bare_errors']} / {r['real_errors']} |"
        )
    out += ["", "Targets (32 clients): real >= 70% of bare throughput, real p99 < 100 ms."]
    for r in rows:
        if r["clients"] == 32:
            ratio = (r["real_rps"] / r["bare_rps"]) if r["bare_rps"] else 0.0  # type: ignore[operator]
            met = ratio >= 0.7 and r["real_p99"] < 100  # type: ignore[operator]
            out.append(
                f"- {r['db']}: {ratio:.0%} of bare, p99 {r['real_p99']:.1f} ms: {'met' if met else 'NOT met'}"
            )
    out += ["", *NOTES]
    path.write_text("\n".join(out) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=2.0, help="per run (repeated --rounds times)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "slack_http.md"))
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    rows: list[dict[str, object]] = []
    for kind in [d.strip() for d in args.db.split(",") if d.strip()]:
        rows += bench_database(kind, clients, args.seconds, args.rounds)
    write_results(rows, args, Path(args.out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
