"""`hwerror incidents list` and `hwerror tickets list|resolve` as real processes."""

from __future__ import annotations

from bot.core.incidents.enums import Source
from bot.core.incidents.policy import EscalationPolicy
from bot.core.incidents.record import Sighting, escalate_if_due, record_incidents
from knowledge.bundled import load_bundled
from knowledge.db import make_engine, transaction
from testing.cli import run_cli
from testing.incidents import findings_in

PASTE = '{"error_code": "AIS.0027", "error_msg": "The account has been frozen."} password=hunter2'


def _record(db_url: str, n: int) -> int | None:
    engine = make_engine(db_url)
    ticket_id = None
    try:
        with transaction(engine) as session:
            load_bundled(session)
            for i in range(n):
                sighting = Sighting(
                    workspace="T1", channel=f"C{i}", message_key=f"{i}.0", source=Source.PASTE, text=PASTE
                )
                for incident in record_incidents(session, sighting, findings_in(PASTE)):
                    result = escalate_if_due(session, incident, EscalationPolicy(count=2), backend="internal")
                    ticket_id = result.ticket.id if result else ticket_id
    finally:
        engine.dispose()
    return ticket_id


def test_incidents_and_tickets_are_listed_and_a_ticket_resolves(db_url: str) -> None:
    assert run_cli("db", "upgrade", db_url=db_url).returncode == 0
    ticket_id = _record(db_url, 3)
    assert ticket_id is not None
    listed = run_cli("incidents", "list", db_url=db_url)
    assert listed.returncode == 0, listed.stderr
    assert "3 incidents" in listed.stdout and "AIS.0027" in listed.stdout
    assert "hunter2" not in listed.stdout
    # Codes are matched as people type them.
    lower = run_cli("incidents", "list", "--code", "ais.0027", db_url=db_url)
    assert lower.returncode == 0 and "3 incidents" in lower.stdout
    tickets = run_cli("tickets", "list", db_url=db_url)
    assert f"HW-{ticket_id}" in tickets.stdout and "1 open tickets" in tickets.stdout
    assert "seen 2 times in 24 h" in tickets.stdout
    resolved = run_cli("tickets", "resolve", f"HW-{ticket_id}", db_url=db_url)
    assert resolved.returncode == 0 and "is resolved" in resolved.stdout
    assert "0 open tickets" in run_cli("tickets", "list", db_url=db_url).stdout
    assert "resolved" in run_cli("tickets", "list", "--all", db_url=db_url).stdout


def test_resolving_a_ticket_that_does_not_exist_says_so(db_url: str) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    missing = run_cli("tickets", "resolve", "HW-999", db_url=db_url)
    assert missing.returncode == 1 and "there is no ticket HW-999" in missing.stderr
    garbage = run_cli("tickets", "resolve", "yesterday", db_url=db_url)
    assert garbage.returncode == 1 and "is not a ticket reference" in garbage.stderr
