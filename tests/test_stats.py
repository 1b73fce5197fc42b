"""`/hwerror stats` figures and the team-level Block Kit (escalation card, tickets, App Home)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.core.digest.compute import build_digest
from bot.core.digest.weeks import Week, zone
from bot.core.incidents.enums import EscalationAction
from bot.core.incidents.models import Ticket
from bot.core.incidents.seen import SeenCounts
from bot.core.incidents.ticket_view import ticket_view
from bot.core.incidents.tickets import summaries
from bot.core.stats import stats
from bot.slack.blocks.escalation import escalation_message
from bot.slack.blocks.home import home_view
from bot.slack.blocks.stats import stats_message
from bot.slack.blocks.tickets import tickets_message
from knowledge.bundled import load_bundled
from knowledge.db import session_factory, transaction
from testing.factories import incident
from testing.factories import ticket as make_ticket

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SHANGHAI = zone("Asia/Shanghai")


def _add(
    session,
    code: str,
    ago: timedelta,
    channel: str = "C1",
    n: int = 1,
    ticket: int | None = None,
    request_id: str | None = None,
) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        session.add(
            incident(
                code,
                at=NOW - ago,
                channel=channel,
                message_key=f"{code}-{ago}-{channel}-{i}",
                ticket_id=ticket,
                request_id=request_id,
            )
        )


def test_stats_count_24h_7d_30d_and_a_codes_local_days(engine: Engine) -> None:
    with transaction(engine) as session:
        load_bundled(session)
        _add(session, "AIS.0027", timedelta(hours=1), n=2)
        _add(session, "AIS.0027", timedelta(days=3), channel="C2")
        _add(session, "AIS.0027", timedelta(days=20))
        _add(session, "AIS.0027", timedelta(days=40))  # outside every window
        _add(session, "AIS.0005", timedelta(hours=5))
    with session_factory(engine)() as session:
        overall = stats(session, NOW, SHANGHAI)
        one = stats(session, NOW, SHANGHAI, "ais.0027")
    assert overall.counts == {"24 h": 3, "7 days": 4, "30 days": 5}
    assert overall.top_codes == [("AIS.0027", 3), ("AIS.0005", 1)]
    assert one.counts == {"24 h": 2, "7 days": 3, "30 days": 4}
    assert one.channels == [("C1", 3), ("C2", 1)]
    assert len(one.days) == 30 and one.days[-1] == NOW.astimezone(SHANGHAI).date()
    assert one.daily[-1] == 2 and one.daily[-4] == 1 and one.daily[-21] == 1 and sum(one.daily) == 4
    seen = SeenCounts(session_factory(engine), ttl=0, clock=lambda: NOW)
    assert seen.get("content-moderation", "AIS.0027") == (3, None)
    message = stats_message(one)
    assert "*24 h:* 2" in json.dumps(message.blocks) and message.text.startswith("Stats for")


def test_escalation_card_tickets_list_and_home_are_inert_and_within_limits(engine: Engine) -> None:
    with transaction(engine) as session:
        load_bundled(session)
        ticket = make_ticket("AIS.0027", reason="seen 5 times in 24 h <!channel>", opened_at=NOW)
        session.add(ticket)
        session.flush()
        _add(session, "AIS.0027", timedelta(hours=2), n=3, ticket=ticket.id, request_id="req-1")
        _add(session, "AIS.0027", timedelta(hours=1), channel="C9", n=2, ticket=ticket.id)
    with session_factory(engine)() as session:
        view = ticket_view(session, session.get(Ticket, ticket.id))  # type: ignore[arg-type]
        rows = summaries(session)
        digest = build_digest(session, Week.containing(NOW, SHANGHAI))
    card = escalation_message(
        view, EscalationAction.OPENED, console_url="https://console-intl.huaweicloud.com/ticket/?a=b"
    )
    body = json.dumps(card.blocks)
    assert "<!channel>" not in body and "&lt;!channel&gt;" in body
    assert "5 times in 2 channel(s)" in body and "<#C1>" in body and "<#C9>" in body
    assert "open a Huawei Cloud service ticket" in body and "hwerror_resolve_ticket" in body
    assert "req-1" in body
    listing = tickets_message(rows)
    assert f"HW-{ticket.id}" in json.dumps(listing.blocks)
    home = home_view(digest, rows)
    assert home["type"] == "home" and len(home["blocks"]) <= 100
    assert "AIS.0027" in json.dumps(home["blocks"])
