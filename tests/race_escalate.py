"""One racing process for the exactly-one-ticket test: N threads escalate the same code at once.

Run as `python -m tests.race_escalate DATABASE_URL TAG THREADS`; prints how each thread's
escalation ended (opened / reopened / attached).
"""

from __future__ import annotations

import sys
import threading

from bot.core.incidents.enums import Source
from bot.core.incidents.policy import EscalationPolicy
from bot.core.incidents.record import Sighting, escalate_if_due, record_incidents
from knowledge.db import make_engine, transaction
from testing.incidents import findings_in

TEXT = '{"error_code": "AIS.0027", "error_msg": "The account has been frozen."}'


def main() -> None:
    url, tag, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = make_engine(url, pool_size=threads, max_overflow=0)
    findings = findings_in(TEXT)
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(n: int) -> None:
        barrier.wait()
        with transaction(engine) as session:
            sighting = Sighting(
                workspace="T1", channel=f"C{n % 4}", message_key=f"{tag}-{n}", source=Source.PASTE, text=TEXT
            )
            (incident,) = record_incidents(session, sighting, findings)
            result = escalate_if_due(session, incident, EscalationPolicy(count=1), backend="internal")
        with lock:
            outcomes.append(result.action if result else "none")

    workers = [threading.Thread(target=race, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    engine.dispose()
    print(" ".join(sorted(outcomes)))


if __name__ == "__main__":
    main()
