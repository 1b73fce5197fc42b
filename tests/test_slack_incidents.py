"""Incidents, escalation, tickets, stats, the digest command and App Home, end to end over HTTP.

A real `hwerror serve` with a low escalation policy (a code in 2 channels, or 3 times, escalates),
requests signed as Slack signs them, and a fake Slack recording what the bot posts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.core.incidents.models import Incident, Ticket, TicketEvent
from testing.slack.blocks import all_text, assert_block_kit_limits
from testing.slack.requests import TEAM_ID, AppProcess, message, new_ts, uniq
from testing.slack.server import FakeSlack

ESCALATIONS = "C0ESCALATE"
TOKEN = "MIIFzQYJKoZIhvcNAQcCoIIFvjCCBboCAQExDTALBglghkgBZQMEAgEwggPbBgkqhkiG9w0BBwGgggPM" * 4


@pytest.fixture(scope="module")
def app(
    module_db: str,
    module_kb: Engine,
    slack: FakeSlack,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AppProcess]:
    proc = AppProcess(
        db_url=module_db,
        slack=slack,
        cwd=tmp_path_factory.mktemp("cwd"),
        env={
            "HWERROR_ESCALATE_COUNT": "3",
            "HWERROR_ESCALATE_CHANNELS": "2",
            "HWERROR_ESCALATE_SUPPORT_COUNT": "2",
            "HWERROR_ESCALATION_CHANNEL": ESCALATIONS,
            "HWERROR_TIMEZONE": "Asia/Shanghai",
        },
    )
    proc.start()
    yield proc
    proc.stop()
    assert TOKEN[:40] not in proc.output(), "a pasted token reached the log"


def body_for(code: str, extra: str = "") -> str:
    return f'{{"error_code": "{code}", "error_msg": "whatever"}} {extra}'.strip()


def paste(app: AppProcess, slack: FakeSlack, channel: str, text: str, *, retry: bool = False) -> str:
    ts = new_ts()
    event_id = uniq("Ev")
    app.event(message(channel, text, ts=ts), event_id=event_id)
    if retry:
        app.event(message(channel, text, ts=ts), event_id=event_id, retry=1)
    slack.wait_for(
        "chat.postMessage", lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts
    )
    return ts


def incidents(module_kb: Engine, code: str, expect: int, timeout: float = 5.0) -> Sequence[Any]:
    deadline = time.monotonic() + timeout
    while True:
        with module_kb.connect() as conn:
            rows = conn.execute(select(Incident).where(Incident.code == code).order_by(Incident.id)).all()
        if len(rows) >= expect or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def escalation_card(slack: FakeSlack, channel: str, phrase: str) -> dict[str, Any]:
    """The escalation channel's card that names `channel` (tests share one fake Slack) and `phrase`."""
    [card] = slack.wait_for(
        "chat.postMessage",
        lambda c: (
            c.body.get("channel") == ESCALATIONS
            and channel in json.dumps(c.body)
            and phrase in all_text(c.body)
        ),
    )
    return card.body


def command(app: AppProcess, slack: FakeSlack, text: str, channel: str = "CSTATS") -> dict[str, Any]:
    name = uniq("r")
    response = app.command(text, channel=channel, response_url=slack.response_url(name))
    assert response.status == 200
    [answer] = slack.wait_for("response_url", lambda c: c.path.endswith(name))
    return answer.body


def test_a_paste_is_one_incident_despite_retries_and_a_second_channel_escalates(
    app: AppProcess,
    slack: FakeSlack,
    module_kb: Engine,
) -> None:
    first, second = uniq("CA"), uniq("CB")
    paste(app, slack, first, body_for("AIS.0027", f"X-Auth-Token: {TOKEN}"), retry=True)
    rows = incidents(module_kb, "AIS.0027", 1)
    time.sleep(0.3)
    assert len(incidents(module_kb, "AIS.0027", 1)) == 1
    row = rows[0]
    assert (row.workspace, row.channel, row.source, row.known) == (TEAM_ID, first, "paste", True)
    assert TOKEN[:40] not in row.excerpt and "[REDACTED]" in row.excerpt
    ts = paste(app, slack, second, body_for("AIS.0027"))
    card = escalation_card(slack, second, "AIS.0027")
    text = all_text(card)
    assert "seen in 2 channels" in text and f"<#{first}>" in text and f"<#{second}>" in text
    assert_block_kit_limits(card)
    [notice] = slack.wait_for(
        "chat.postMessage",
        lambda c: (
            c.body.get("channel") == second
            and c.body.get("thread_ts") == ts
            and "ticket HW-" in all_text(c.body)
        ),
    )
    assert "AIS.0027" in all_text(notice.body)
    with module_kb.connect() as conn:
        ticket = conn.execute(select(Ticket).where(Ticket.code == "AIS.0027")).one()
    assert ticket.status == "open" and ticket.workspace == TEAM_ID


def test_tickets_stats_digest_and_resolve_commands_then_a_regression_reopens(
    app: AppProcess,
    slack: FakeSlack,
    module_kb: Engine,
) -> None:
    channels = (uniq("CC"), uniq("CD"))
    for channel in channels:
        paste(app, slack, channel, body_for("AIS.0026"))
    escalation_card(slack, channels[1], "AIS.0026")
    with module_kb.connect() as conn:
        ticket_id = conn.scalar(select(Ticket.id).where(Ticket.code == "AIS.0026"))
    assert f"HW-{ticket_id}" in all_text(command(app, slack, "tickets"))
    stats = all_text(command(app, slack, "stats AIS.0026"))
    assert "Stats for AIS.0026" in stats and "*24 h:* 2" in stats and f"HW-{ticket_id} open" in stats
    digest = all_text(command(app, slack, "digest"))
    assert "weekly digest" in digest and "AIS.0026" in digest
    assert "is not a ticket" in all_text(command(app, slack, "resolve tomorrow"))
    assert "there is no ticket HW-99999" in all_text(command(app, slack, "resolve HW-99999"))
    assert "is resolved" in all_text(command(app, slack, f"resolve HW-{ticket_id}"))
    comeback = uniq("CE")
    paste(app, slack, comeback, body_for("AIS.0026"))  # one recurrence is enough: a regression
    again = escalation_card(slack, comeback, "Came back after its ticket was resolved: AIS.0026")
    assert "reopened 1×" in all_text(again) and f"came back after HW-{ticket_id} was resolved" in all_text(
        again
    )
    with module_kb.connect() as conn:
        actions = conn.scalars(
            select(TicketEvent.action).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        ).all()
    assert list(actions) == ["opened", "resolved", "reopened"]


def test_a_slash_lookup_in_a_channel_is_an_incident_and_the_card_shows_it(
    app: AppProcess,
    slack: FakeSlack,
    module_kb: Engine,
) -> None:
    channel = uniq("CG")
    first = app.command("AIS.0025", channel=channel).json()
    assert "AIS.0025" in all_text(first)
    incidents(module_kb, "AIS.0025", 1)
    time.sleep(0.1)
    second = app.command("AIS.0025", channel=channel).json()
    assert "Seen in the last 7 days" in all_text(second)
    assert len(incidents(module_kb, "AIS.0025", 2)) == 2


def test_app_home_shows_the_week_and_its_resolve_button_works(
    app: AppProcess,
    slack: FakeSlack,
    module_kb: Engine,
) -> None:
    channels = (uniq("CH"), uniq("CI"))
    for channel in channels:
        paste(app, slack, channel, body_for("AIS.0024"))
    escalation_card(slack, channels[1], "AIS.0024")
    user = uniq("U")
    app.event(
        {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": new_ts()},
        event_id=uniq("Ev"),
    )
    [published] = slack.wait_for("views.publish", lambda c: c.body.get("user_id") == user)
    view = (
        json.loads(published.body["view"])
        if isinstance(published.body["view"], str)
        else published.body["view"]
    )
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "AIS.0024" in json.dumps(view)
    with module_kb.connect() as conn:
        ticket_id = conn.scalar(select(Ticket.id).where(Ticket.code == "AIS.0024"))
    resolve = next(
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("value") == str(ticket_id)
    )
    app.interact(
        {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": user, "username": "dana", "team_id": TEAM_ID},
            "api_app_id": "A0001",
            "trigger_id": uniq("t"),
            "container": {"type": "view", "view_id": "V0002"},
            "view": {"id": "V0002", "type": "home"},
            "actions": [
                {
                    "type": "button",
                    "action_id": resolve["action_id"],
                    "block_id": "b",
                    "value": resolve["value"],
                    "action_ts": str(time.time()),
                }
            ],
        }
    )
    slack.wait_for("views.publish", lambda c: c.body.get("user_id") == user, count=2)
    with module_kb.connect() as conn:
        status, by = conn.execute(
            select(Ticket.status, Ticket.resolved_by).where(Ticket.id == ticket_id)
        ).one()
    assert status == "resolved" and by is not None and user in by
