"""Digest figures against a hand-computed week, cut in a time zone far from UTC and across DST."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.core.digest.chart import chart_png
from bot.core.digest.compute import build_digest
from bot.core.digest.weeks import Schedule, Week, zone
from bot.core.incidents.models import Incident, TicketEvent
from bot.core.models import FeedbackVote
from bot.slack.blocks.digest import digest_message
from knowledge.bundled import load_bundled
from knowledge.db import session_factory, transaction
from knowledge.store import get_entry
from testing.factories import incident
from testing.factories import ticket as make_ticket

AUCKLAND = zone("Pacific/Auckland")  # UTC+13 in November
BERLIN = zone("Europe/Berlin")


def _incident(code: str, local: datetime, *, channel: str = "C1", known: bool = True) -> Incident:
    return incident(code, at=local.astimezone(UTC), channel=channel, known=known)


def _at(day: int, hour: int, minute: int = 0, *, month: int = 11, tz: ZoneInfo = AUCKLAND) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=tz)


def test_week_in_auckland_is_cut_at_local_midnights_and_every_figure_matches(engine: Engine) -> None:
    # 2026-W47 runs Mon 16 Nov 00:00 to Mon 23 Nov 00:00 Auckland time (15 Nov 11:00 UTC onwards).
    with transaction(engine) as session:
        load_bundled(session)
        session.add_all(
            [
                _incident("AIS.0027", _at(15, 23, 30)),  # Sunday before: last week (W46)
                _incident("AIS.0027", _at(16, 0, 30)),  # Monday 00:30 local, still Sunday in UTC
                *[_incident("AIS.0027", _at(18, 10 + i), channel="C2") for i in range(3)],
                _incident("AIS.0005", _at(5, 9, month=10)),  # weeks ago: AIS.0005 is not new
                _incident("AIS.0005", _at(19, 9)),
                _incident("AIS.0005", _at(19, 10)),
                _incident("AIS.0003", _at(22, 23, 59)),  # Sunday 23:59 local: last minute of the week
                _incident("AIS.0999", _at(20, 8), known=False),
                _incident("AIS.0999", _at(20, 9), known=False),
                _incident("AIS.0027", _at(23, 0, 0)),  # next Monday 00:00: not this week
            ]
        )
        ticket = make_ticket("AIS.0027", opened_at=_at(18, 12))
        session.add(ticket)
        session.flush()
        session.add_all(
            [
                TicketEvent(ticket_id=ticket.id, action="opened", at=_at(18, 12), detail={}),
                TicketEvent(ticket_id=ticket.id, action="resolved", at=_at(21, 12), detail={}),
                TicketEvent(ticket_id=ticket.id, action="opened", at=_at(10, 12), detail={}),  # W46
            ]
        )
        entry = get_entry(session, "content-moderation", "AIS.0027")
        assert entry is not None
        session.add(FeedbackVote(entry_id=entry.id, user_id="U1", helpful=False, updated_at=_at(19, 9)))
        session.add(FeedbackVote(entry_id=entry.id, user_id="U2", helpful=True, updated_at=_at(19, 9)))

    week = Week.parse("2026-W47", AUCKLAND)
    with session_factory(engine)() as session:
        digest = build_digest(session, week)

    assert week.start == datetime(2026, 11, 15, 11, 0, tzinfo=UTC)
    assert (digest.total, digest.previous_total) == (9, 1)
    assert digest.change == "+800% on the week before"
    assert [(c.code, c.count, c.previous, c.trend) for c in digest.top] == [
        ("AIS.0027", 4, 1, "+300%"),
        ("AIS.0005", 2, 0, "back"),  # seen before, not last week
        ("AIS.0003", 1, 0, "new"),  # never seen before
    ]
    assert digest.top[0].ticket == f"HW-{ticket.id} open"
    assert digest.top[0].message == "The account has been frozen."
    assert [(c.code, c.count) for c in digest.new_codes] == [("AIS.0003", 1)]
    assert [(c.code, c.count) for c in digest.unknown] == [("AIS.0999", 2)]
    assert digest.tickets == {"opened": 1, "resolved": 1, "reopened": 0}
    assert digest.channels == [("C1", 6), ("C2", 3)]
    assert [(c.code, c.count) for c in digest.not_helpful] == [("AIS.0027", 1)]
    assert digest.daily["AIS.0027"] == [1, 0, 3, 0, 0, 0, 0]
    assert digest.daily["AIS.0003"] == [0, 0, 0, 0, 0, 0, 1]

    message = digest_message(digest)
    assert message.text.startswith("hwerror weekly digest, 2026-W47")
    body = str(message.blocks)
    assert "AIS.0027" in body and "HW-" in body and "AIS.0999" in body
    png = chart_png(digest)
    assert png is not None and png.startswith(b"\x89PNG")


def test_week_with_the_daylight_saving_change_is_169_hours_and_days_follow_local_midnight(
    engine: Engine,
) -> None:
    # Berlin leaves summer time on Sunday 25 Oct 2026 at 03:00, inside 2026-W43.
    week = Week.parse("2026-W43", BERLIN)
    assert (week.end - week.start).total_seconds() == 169 * 3600
    with transaction(engine) as session:
        session.add_all(
            [
                _incident("AIS.0027", _at(25, 1, 30, month=10, tz=BERLIN)),  # Sunday before the change
                _incident("AIS.0027", _at(25, 23, 30, month=10, tz=BERLIN)),  # Sunday after it (22:30 UTC)
                _incident("AIS.0027", _at(26, 0, 30, month=10, tz=BERLIN)),  # Monday: next week
                _incident("AIS.0027", _at(19, 0, 0, month=10, tz=BERLIN)),  # first instant of the week
            ]
        )
    with session_factory(engine)() as session:
        digest = build_digest(session, week)
        following = build_digest(session, Week.parse("2026-W44", BERLIN))
    assert digest.total == 3 and following.total == 1
    assert digest.daily["AIS.0027"] == [1, 0, 0, 0, 0, 0, 2]


def test_a_quiet_week_gets_a_one_line_note_and_no_chart(engine: Engine) -> None:
    with session_factory(engine)() as session:
        digest = build_digest(session, Week.parse("2026-W10", BERLIN))
    assert digest.quiet and digest.top == [] and chart_png(digest) is None
    message = digest_message(digest)
    assert "No Huawei Cloud errors were seen this week" in str(message.blocks)
    assert len(message.blocks) == 3


def test_schedule_is_due_after_its_local_time_for_the_week_that_ended() -> None:
    schedule = Schedule.parse("mon 09:00")
    before = datetime(2026, 11, 23, 8, 59, tzinfo=AUCKLAND)
    after = datetime(2026, 11, 23, 9, 0, tzinfo=AUCKLAND)
    assert schedule.due(before, AUCKLAND) is None
    due = schedule.due(after, AUCKLAND)
    assert due is not None and due.label == "2026-W47"


def test_bad_schedule_week_and_zone_are_refused_with_a_message() -> None:
    import pytest

    with pytest.raises(ValueError, match="is not a schedule"):
        Schedule.parse("every monday")
    with pytest.raises(ValueError, match="is not an ISO week"):
        Week.parse("last week", BERLIN)
    with pytest.raises(ValueError, match="has no week 54"):
        Week.parse("2026-W54", BERLIN)
    with pytest.raises(ValueError, match="is not an IANA time zone"):
        zone("Mars/Olympus")
