"""Incidents are recorded once per message and code; recurring codes open exactly one ticket."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select

from bot.core.incidents.enums import Source
from bot.core.incidents.models import Incident, OutboxItem, Ticket, TicketEvent
from bot.core.incidents.policy import EscalationPolicy
from bot.core.incidents.record import Sighting, escalate_if_due, escalation_order, record_incidents
from bot.core.incidents.tickets import resolve_ticket
from knowledge.bundled import load_bundled
from knowledge.clock import utcnow
from knowledge.db import session_factory, transaction
from knowledge.models import Entry
from testing.incidents import findings_in
from tests.race_escalate import race

FROZEN = '{"error_code": "AIS.0027", "error_msg": "The account has been frozen."}'
INTERNAL = '{"error_code": "AIS.0003", "error_msg": "Failed to complete the request because of an internal service error."}'  # noqa: E501


def _paste(
    engine: Engine, text: str, *, channel: str = "C1", ts: str = "1.0", policy: EscalationPolicy, now=None
):  # type: ignore[no-untyped-def]
    findings = findings_in(text)
    with transaction(engine) as session:
        if not session.scalar(select(func.count()).select_from(Entry)):
            load_bundled(session)
        sighting = Sighting(
            workspace="T1", channel=channel, message_key=ts, source=Source.PASTE, text=text, user_id="U1"
        )
        created = record_incidents(session, sighting, findings, now=now)
        results = [escalate_if_due(session, i, policy, backend="internal", now=now) for i in created]
        return created, results


def test_a_message_delivered_twice_is_one_incident(engine: Engine) -> None:
    policy = EscalationPolicy()
    first, _ = _paste(engine, FROZEN, ts="100.1", policy=policy)
    second, _ = _paste(engine, FROZEN, ts="100.1", policy=policy)
    assert len(first) == 1 and second == []
    with session_factory(engine)() as session:
        incident = session.scalars(select(Incident)).one()
    assert (incident.code, incident.service, incident.variant) == ("AIS.0027", "content-moderation", 0)
    assert incident.known and incident.how == "code" and incident.confidence >= 0.8


def test_fifth_incident_in_the_window_opens_one_ticket_and_later_ones_attach(engine: Engine) -> None:
    policy = EscalationPolicy(count=5, channels=99)
    outcomes = [_paste(engine, FROZEN, ts=f"{i}.0", policy=policy)[1][0] for i in range(7)]
    assert outcomes[:4] == [None] * 4
    assert outcomes[4] is not None and outcomes[4].action == "opened"
    assert outcomes[4].reason == "seen 5 times in 24 h"
    assert [o.action for o in outcomes[5:] if o] == ["attached", "attached"]
    with session_factory(engine)() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.status == "open" and ticket.code == "AIS.0027"
        linked = session.scalar(select(func.count()).where(Incident.ticket_id == ticket.id))
        assert linked == 7, "the five that made the case, and the two after it"
        assert session.scalars(select(OutboxItem.action)).all() == ["create"]


def test_incidents_outside_the_window_do_not_count(engine: Engine) -> None:
    policy = EscalationPolicy(count=3, window=timedelta(hours=1), channels=99)
    old = utcnow() - timedelta(hours=2)
    for i in range(2):
        _paste(engine, FROZEN, ts=f"old{i}", policy=policy, now=old)
    _, results = _paste(engine, FROZEN, ts="new0", policy=policy)
    assert results == [None]
    _, results = _paste(engine, FROZEN, ts="new1", policy=policy)
    assert results == [None]
    _, results = _paste(engine, FROZEN, ts="new2", policy=policy)
    assert results[0] is not None and results[0].action == "opened"


def test_code_only_huawei_support_can_fix_escalates_at_the_lower_threshold(engine: Engine) -> None:
    policy = EscalationPolicy(count=5, support_count=2, channels=99)
    assert _paste(engine, INTERNAL, ts="1", policy=policy)[1] == [None]
    result = _paste(engine, INTERNAL, ts="2", policy=policy)[1][0]
    assert result is not None and result.action == "opened"
    assert result.reason == "seen 2 times in 24 h, and only Huawei support can fix it"


def test_code_seen_in_three_channels_escalates(engine: Engine) -> None:
    policy = EscalationPolicy(count=50, channels=3)
    assert _paste(engine, FROZEN, channel="C1", ts="1", policy=policy)[1] == [None]
    assert _paste(engine, FROZEN, channel="C2", ts="1", policy=policy)[1] == [None]
    result = _paste(engine, FROZEN, channel="C3", ts="1", policy=policy)[1][0]
    assert result is not None and result.reason == "seen in 3 channels in 24 h"


def test_recurrence_after_resolution_reopens_the_same_ticket_as_a_regression(engine: Engine) -> None:
    policy = EscalationPolicy(count=1)
    opened = _paste(engine, FROZEN, ts="1", policy=policy)[1][0]
    assert opened is not None and opened.action == "opened"
    with transaction(engine) as session:
        resolved = resolve_ticket(session, opened.ticket.id, "U9")
        assert resolved.status == "resolved" and resolved.resolved_by == "U9"
        again = resolve_ticket(session, opened.ticket.id, "U9")
        assert again.status == "resolved"
    reopened = _paste(engine, FROZEN, ts="2", policy=policy)[1][0]
    assert reopened is not None and reopened.action == "reopened"
    assert reopened.ticket.id == opened.ticket.id and reopened.ticket.times_reopened == 1
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
        actions = session.scalars(select(TicketEvent.action).order_by(TicketEvent.id)).all()
        assert actions == ["opened", "resolved", "reopened"]
        keys = session.scalars(select(OutboxItem.idempotency_key).order_by(OutboxItem.id)).all()
        assert keys == [
            f"hwerror-{opened.ticket.id}-create-0",
            f"hwerror-{opened.ticket.id}-resolve-0",
            f"hwerror-{opened.ticket.id}-reopen-1",
        ]


def test_unknown_codes_are_recorded_as_gaps_but_never_escalated(engine: Engine) -> None:
    policy = EscalationPolicy(count=1)
    created, results = _paste(
        engine, '{"error_code": "AIS.0999", "error_msg": "Something new."}', policy=policy
    )
    assert [(i.code, i.known) for i in created] == [("AIS.0999", False)]
    assert results == [None]


def test_escalate_now_opens_a_ticket_below_every_threshold(engine: Engine) -> None:
    created, _ = _paste(engine, FROZEN, ts="1", policy=EscalationPolicy())
    with transaction(engine) as session:
        incident = session.get(Incident, created[0].id)
        assert incident is not None
        result = escalate_if_due(
            session,
            incident,
            EscalationPolicy(),
            backend="internal",
            force_reason="escalated by <@U7>",
            actor="U7",
        )
    assert result is not None and result.action == "opened" and result.reason == "escalated by <@U7>"


def test_two_processes_of_eight_threads_racing_open_exactly_one_ticket(engine: Engine, db_url: str) -> None:
    with transaction(engine) as session:
        load_bundled(session)
    (actions,) = race(db_url, processes=2, threads=8)
    assert len(actions) == 16
    assert actions.count("opened") == 1
    assert actions.count("attached") == 15
    with session_factory(engine)() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert session.scalar(select(func.count()).where(Incident.ticket_id == ticket.id)) == 16
        assert session.scalars(select(TicketEvent.action)).all() == ["opened"]
        assert session.scalars(select(OutboxItem.action)).all() == ["create"]


def test_a_threshold_reached_by_simultaneous_sightings_escalates_every_time(
    engine: Engine, db_url: str
) -> None:
    """Three processes of two threads each record, all at once, the six sightings the policy needs;
    forty times over, a workspace per round: forty tickets, never two for one round.
    Each transaction sees only its own uncommitted incident, so unless the decision waits for the
    others' commits, every one of them counts fewer than six and nobody opens the ticket."""
    processes, threads, rounds = 3, 2, 40
    with transaction(engine) as session:
        load_bundled(session)
    outcomes = race(db_url, processes=processes, threads=threads, rounds=rounds, count=processes * threads)
    missed = [r for r, actions in enumerate(outcomes) if actions.count("opened") != 1]
    assert not missed, f"{len(missed)} of {rounds} rounds did not open exactly one ticket: {missed}"
    assert all(actions == ["none"] * (processes * threads - 1) + ["opened"] for actions in outcomes)
    with session_factory(engine)() as session:
        tickets = session.execute(select(Ticket.workspace, Ticket.id)).all()
        assert sorted(w for w, _ in tickets) == sorted(f"T{r}" for r in range(rounds))
        linked = session.execute(select(Incident.ticket_id, func.count()).group_by(Incident.ticket_id)).all()
        assert sorted(n for _, n in linked) == [processes * threads] * rounds, "each round's six, linked"


def test_the_codes_of_one_message_are_escalated_in_one_order_whatever_order_it_names_them() -> None:
    """Each escalation holds its code's lock to the commit: one order everywhere, no deadlock."""
    codes = [Incident(workspace="T1", service="ais", code=f"AIS.{n:04d}") for n in range(6)]
    order = [codes[i].code for i in escalation_order(codes)]
    backwards = codes[::-1]
    assert [backwards[i].code for i in escalation_order(backwards)] == order
    assert sorted(order) == sorted(c.code for c in codes)
