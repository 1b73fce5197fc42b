"""Racing processes for the escalation tests: N processes of M threads record one code at once.

`race()` starts the processes and steps them through `rounds` rounds: in each, every thread of
every process records one sighting of AIS.0027 in the round's own workspace (`T<round>`), in a
transaction of its own, all released together. The parent sends "go" to every process before
reading any answer, so the processes start a round within microseconds of each other; a round
ends when every thread has committed. It returns, per round, how each thread's escalation ended
(opened / reopened / attached / none), sorted.

A child is `python -m tests.race_escalate DATABASE_URL TAG THREADS ROUNDS COUNT`: it prints
"ready", then for each "go" line on stdin one line of outcomes. COUNT is the policy's threshold.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import traceback
from typing import IO

from bot.core.incidents.enums import Source
from bot.core.incidents.policy import EscalationPolicy
from bot.core.incidents.record import Sighting, escalate_if_due, record_incidents
from knowledge.db import make_engine, transaction
from testing.incidents import findings_in

TEXT = '{"error_code": "AIS.0027", "error_msg": "The account has been frozen."}'
NEVER = 10**6  # a threshold no round reaches: only the count decides


def race(
    db_url: str, *, processes: int, threads: int, rounds: int = 1, count: int = 1, timeout: float = 120
) -> list[list[str]]:
    """Run the processes; per round, the outcome of every thread's escalation (sorted)."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    with tempfile.TemporaryFile("w+") as errors:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.race_escalate", db_url, f"p{i}", str(threads), str(rounds)]
                + [str(count)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                env=env,
            )
            for i in range(processes)
        ]
        # A process stuck on a lock would hang the parent's readline: kill them all at the deadline.
        watchdog = threading.Timer(timeout, _kill, (procs,))
        watchdog.start()
        try:
            for proc in procs:
                _read(proc, errors, expect="ready")
            outcomes = []
            for _ in range(rounds):
                for proc in procs:
                    assert proc.stdin is not None
                    proc.stdin.write("go\n")
                    proc.stdin.flush()
                outcomes.append(sorted(w for proc in procs for w in _read(proc, errors).split()))
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.close()
            for proc in procs:
                assert proc.wait(timeout) == 0, _stderr(errors)
        finally:
            watchdog.cancel()
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    return outcomes


def _kill(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        proc.kill()


def _read(proc: subprocess.Popen[str], errors: IO[str], expect: str | None = None) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line or (expect is not None and line.strip() != expect):
        raise AssertionError(f"racing process said {line!r}:\n{_stderr(errors)}")
    return line


def _stderr(errors: IO[str]) -> str:
    errors.seek(0)
    return errors.read()


def main() -> None:
    url, tag, threads, rounds, count = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    policy = EscalationPolicy(count=count, channels=NEVER, support_count=NEVER)
    engine = make_engine(url, pool_size=threads, max_overflow=0)
    # Open every connection now, so the first round races transactions, not connection set-up.
    connections = [engine.connect() for _ in range(threads)]
    for conn in connections:
        conn.close()
    findings = findings_in(TEXT)
    start = threading.Barrier(threads + 1)
    done = threading.Barrier(threads + 1)
    outcomes = [""] * threads

    def sight(n: int, r: int) -> str:
        with transaction(engine) as session:
            sighting = Sighting(
                workspace=f"T{r}",
                channel=f"C{n % 4}",
                message_key=f"{tag}-{n}",
                source=Source.PASTE,
                text=TEXT,
            )
            (incident,) = record_incidents(session, sighting, findings)
            result = escalate_if_due(session, incident, policy, backend="internal")
        return result.action if result else "none"

    def worker(n: int) -> None:
        for r in range(rounds):
            start.wait()
            try:
                outcomes[n] = sight(n, r)
            except Exception:  # noqa: BLE001 - reported to the parent, which fails the test
                traceback.print_exc()
                outcomes[n] = "error"
            done.wait()

    workers = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    for w in workers:
        w.start()
    print("ready", flush=True)
    for _ in range(rounds):
        if sys.stdin.readline().strip() != "go":
            return
        start.wait()
        done.wait()
        print(" ".join(outcomes), flush=True)
    for w in workers:
        w.join()
    engine.dispose()


if __name__ == "__main__":
    main()
