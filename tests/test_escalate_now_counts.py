""" "Escalate now" is a request, not a sighting: it opens (or joins) the ticket and links the code's
incidents, but no count anywhere sees the press."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matplotlib.patches import Rectangle
from sqlalchemy import Engine, func, select

from bot.config import Settings
from bot.core.actor import Actor
from bot.core.build import AppSettings, build_service
from bot.core.cards import RemedyCard
from bot.core.digest.chart import chart_figure
from bot.core.digest.config import DigestSettings
from bot.core.incidents.config import EscalationSettings, TicketSettings
from bot.core.incidents.enums import Source
from bot.core.incidents.models import Incident, Ticket
from bot.core.incidents.record import Sighting
from bot.core.models import EscalationRequest

PASTE = '{"error_code": "AIS.0005", "error_msg": "The service does not exist."}'


def _service(kb: Engine, count: int = 5):  # type: ignore[no-untyped-def]
    settings = AppSettings(
        Settings(),
        EscalationSettings(escalate_count=count, escalate_channels=99, escalate_support_count=99),
        TicketSettings(),
        DigestSettings(),
    )
    return build_service(kb, settings, seen_ttl=0, batch_gaps=False)


def _where(key: str, source: Source = Source.PASTE, channel: str = "C1") -> Sighting:
    return Sighting(workspace="T1", channel=channel, message_key=key, source=source, text=PASTE)


def test_one_paste_and_escalate_now_count_as_one_sighting_everywhere(kb: Engine) -> None:
    service = _service(kb)
    actor = Actor(user_id="U1", team_id="T1", name="u1")
    with service.sessions() as session:
        reply = service.explain(session, PASTE)
        service.record(session, reply, _where("m1"))
        done = service.escalate(session, reply.cards[0].key, actor, _where("escalate:m1", Source.BUTTON))
        assert done.ticket is not None and done.escalated  # the ticket still opens at once
        assert done.escalated[0].view.incident_count == 1  # and the paste is linked to it
        again = service.lookup(session, "AIS.0005").cards[0]
        assert isinstance(again, RemedyCard) and again.seen_7d == 1  # the card's "seen in 7 days"
        stats = service.stats(session, "AIS.0005")
        digest = service.digest(session)
    assert stats.counts["24 h"] == 1 and stats.counts["7 days"] == 1
    assert digest.total == 1 and [(c.code, c.count) for c in digest.top] == [("AIS.0005", 1)]
    assert sum(digest.daily["AIS.0005"]) == 1
    figure = chart_figure(digest)
    assert figure is not None
    heights = [p.get_height() for ax in figure.axes for p in ax.patches if isinstance(p, Rectangle)]
    assert sum(heights) == 1  # the chart's bars
    with kb.connect() as conn:
        rows = conn.execute(select(Incident.source, Incident.ticket_id)).all()
        requests = conn.scalar(select(func.count()).select_from(EscalationRequest))
    assert [r.source for r in rows] == ["paste"] and rows[0].ticket_id == done.ticket.id
    assert requests == 1  # the press is kept, as a request


def test_escalate_now_does_not_bring_the_threshold_closer(kb: Engine) -> None:
    service = _service(kb, count=2)
    actor = Actor(user_id="U1", team_id="T1", name="u1")
    with service.sessions() as session:
        reply = service.explain(session, PASTE)
        service.record(session, reply, _where("m1"))
        done = service.escalate(session, reply.cards[0].key, actor, _where("escalate:m1", Source.BUTTON))
        assert done.ticket is not None
        service.resolve(session, done.ticket.ref, actor)
        # Resolved; the one real sighting before is all there is, so a second paste a day later is a
        # regression (reopen) with 1 incident in the window, not 3.
        later = service.explain(session, PASTE)
        escalated = service.record(session, later, _where("m2"))
    assert [e.action for e in escalated] == ["reopened"]
    with kb.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Incident)) == 2
        assert conn.scalar(select(func.count()).select_from(Ticket)) == 1


def test_escalate_now_without_any_sighting_opens_an_empty_ticket(kb: Engine) -> None:
    service = _service(kb)
    with service.sessions() as session:
        card = service.lookup(session, "AIS.0027").cards[0]
        done = service.escalate(
            session, card.key, Actor(user_id="U2", team_id="T1", name="u2"), _where("e", Source.BUTTON)
        )
    assert done.ticket is not None and done.escalated[0].view.incident_count == 0
    with kb.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Incident)) == 0


def test_the_migration_drops_the_press_rows_older_versions_stored(db_url: str) -> None:
    from knowledge.db import make_engine, transaction
    from knowledge.schema import upgrade
    from testing.factories import incident

    engine = make_engine(db_url)
    try:
        upgrade(engine, "0005")
        with transaction(engine) as session:
            now = datetime.now(UTC) - timedelta(hours=1)
            session.add(incident("AIS.0005", at=now, source="paste"))
            session.add(incident("AIS.0005", at=now, source="button"))
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.scalars(select(Incident.source)).all() == ["paste"]
    finally:
        engine.dispose()
