"""Workspace boundaries, end to end: what a signed request from another workspace (a foreign
`team_id`) and from a Slack Connect user in a shared channel can see and do, for every command,
button, the note modal and App Home; and that nothing they do changes the database.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, String, Text, select
from sqlalchemy.types import JSON

from bot.core.incidents.enums import TicketStatus
from bot.core.incidents.models import Ticket
from bot.slack.blocks.ids import ActionId
from knowledge.db import transaction
from knowledge.models import Base
from knowledge.store import add_note, get_entry
from testing.slack.blocks import all_text, buttons_of
from testing.slack.requests import FORM, TEAM_ID, AppProcess, event_body, form_body, slash_fields, uniq
from testing.slack.server import FakeSlack
from testing.tickets import open_ticket

CODE = "AIS.0003"
NOTE = "internal runbook: page the on-call of team Li"
OUTSIDE = "only members of the workspace"
# Tables an outsider may change: their votes, the replay guard's record of their requests, and
# the pace of the channels the bot answered them in.
MAY_CHANGE = {"feedback_votes", "signed_requests", "outbox_lanes"}
# The outbox also holds the messages sent to them (what they were sent is checked on its own); an
# outsider must not cause a ticket call.
OWED_TO_THEM = ("chat", "answer")


@dataclass(frozen=True)
class Outsider:
    name: str
    request_team: str  # the team the request says it comes from
    user_team: str  # the person's own team
    shared: bool  # a Slack Connect channel

    def fields(self, text: str, channel: str, response_url: str) -> dict[str, str]:
        fields = slash_fields(text, user="U0OUT", channel=channel, response_url=response_url)
        fields["team_id"] = self.request_team
        fields["user_team"] = self.user_team
        fields["is_ext_shared_channel"] = "true" if self.shared else "false"
        return fields

    def payload(self, kind: str, channel: str, response_url: str, **extra: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "team": {"id": self.request_team, "domain": "other"},
            "user": {"id": "U0OUT", "username": "out", "name": "out", "team_id": self.user_team},
            "api_app_id": "A0001",
            "token": "legacy",
            "trigger_id": f"trigger-{uuid.uuid4().hex[:8]}",
            "container": {
                "type": "message",
                "message_ts": "1.1",
                "channel_id": channel,
                "is_ephemeral": True,
            },
            "channel": {"id": channel, "name": "shared"},
            "response_url": response_url,
            "is_ext_shared_channel": self.shared,
            **extra,
        }


FOREIGN = Outsider("foreign team_id", "T0FOREIGN", "T0FOREIGN", shared=False)
CONNECT = Outsider("Slack Connect user", TEAM_ID, "T0CUSTOMER", shared=True)


def snapshot(engine: Engine) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in MAY_CHANGE:
                query = select(table)
                if table.name == "outbox":
                    query = query.where(table.c.kind.not_in(OWED_TO_THEM))
                out[table.name] = sorted(json.dumps(list(r), default=str) for r in conn.execute(query))
    return out


def settled(engine: Engine) -> dict[str, list[str]]:
    """The snapshot once two in a row, 0.3 s apart, agree."""
    last = snapshot(engine)
    for _ in range(30):
        time.sleep(0.3)
        now = snapshot(engine)
        if now == last:
            return now
        last = now
    return last


@pytest.fixture(scope="module")
def app(module_db: str, module_kb: Engine, slack: FakeSlack) -> Iterator[AppProcess]:
    proc = AppProcess(db_url=module_db, slack=slack, env={"HWERROR_ESCALATE_COUNT": "1"})
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def ours(app: AppProcess, module_kb: Engine) -> int:
    """Our ticket for CODE (an internal /hwerror opens it: the count is 1), with a team note."""
    assert app.command(CODE, channel="C0OURS").status == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with module_kb.connect() as conn:
            found = conn.scalar(select(Ticket.id).where(Ticket.workspace == TEAM_ID, Ticket.code == CODE))
        if found:
            break
        time.sleep(0.05)
    assert found, "no ticket was opened"
    with transaction(module_kb) as session:
        entry = get_entry(session, "content-moderation", CODE)
        assert entry is not None
        add_note(session, entry, NOTE, author="lead (U0LEAD)")
    open_ticket(module_kb, "internal", code="AIS.0004")  # another workspace's ticket (T0TEAM)
    time.sleep(2.5)  # the note reaches the server's card cache
    return int(found)


def _answer(slack: FakeSlack, name: str) -> str:
    [call] = slack.wait_for("response_url", lambda c: c.path.endswith("/" + name))
    return all_text(call.body) + json.dumps(call.body)


@pytest.mark.parametrize("who", [FOREIGN, CONNECT], ids=lambda o: o.name)
def test_an_outsider_gets_the_public_card_and_nothing_else_and_changes_nothing(
    app: AppProcess, slack: FakeSlack, module_kb: Engine, ours: int, who: Outsider
) -> None:
    channel = uniq("CSHARED")
    inside = app.command(CODE, channel="C0OURS").json()
    assert NOTE in all_text(inside) and ActionId.ESCALATE in buttons_of(inside)  # what members see
    before = settled(module_kb)  # the member's incident is recorded after the answer

    card = app.post(form_body(who.fields(CODE, channel, slack.response_url(uniq("c")))), content_type=FORM)
    assert card.status == 200
    shown, buttons = all_text(card.json()), buttons_of(card.json())
    assert (
        CODE in shown and NOTE not in shown and "Seen in the last 7 days" not in shown and "HW-" not in shown
    )
    assert set(buttons) == {ActionId.POST, ActionId.HELPFUL, ActionId.NOT_HELPFUL}

    for command in ("stats", f"stats {CODE}", "digest", "tickets", f"resolve HW-{ours}"):
        name = uniq("t")
        r = app.post(form_body(who.fields(command, channel, slack.response_url(name))), content_type=FORM)
        assert r.status == 200
        answer = _answer(slack, name)
        assert OUTSIDE in answer and "C0OURS" not in answer and f"HW-{ours}" not in answer, command

    inner = buttons_of(inside)
    for action_id in (ActionId.ESCALATE, ActionId.ADD_NOTE, ActionId.RESOLVE):
        button = inner.get(action_id) or {
            "action_id": action_id,
            "_block": "b",
            "value": str(ours),
            "text": {},
        }
        name = uniq("b")
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": button["_block"],
            "value": button["value"],
        }
        r = app.interact(who.payload("block_actions", channel, slack.response_url(name), actions=[action]))
        assert r.status == 200
        assert OUTSIDE in _answer(slack, name), action_id
    assert not slack.find("views.open", lambda c: channel in json.dumps(c.body))

    post = inner[ActionId.POST]
    action = {
        "type": "button",
        "action_id": ActionId.POST,
        "block_id": post["_block"],
        "value": post["value"],
    }
    app.interact(who.payload("block_actions", channel, slack.response_url(uniq("p")), actions=[action]))
    [posted] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert CODE in all_text(posted.body) and NOTE not in all_text(posted.body)
    assert ActionId.ESCALATE not in buttons_of(posted.body)

    metadata = json.dumps({"s": "content-moderation", "c": CODE, "v": 0, "ch": channel})
    view = {
        "id": "V1",
        "type": "modal",
        "callback_id": "hwerror_note_modal",
        "private_metadata": metadata,
        "state": {"values": {"note": {"note_text": {"type": "plain_text_input", "value": "overwrite"}}}},
    }
    submitted = app.interact(who.payload("view_submission", channel, "", view=view))
    assert submitted.status == 200 and OUTSIDE in submitted.body

    home = {"type": "app_home_opened", "user": "U0OUT", "user_team": who.user_team, "tab": "home"}
    body = json.loads(event_body(home, event_id=uniq("Ev")))
    body["team_id"] = who.request_team
    app.post(json.dumps(body), content_type="application/json")
    [published] = slack.wait_for("views.publish", lambda c: c.body.get("user_id") == "U0OUT")
    text = json.dumps(published.body)
    assert "incidents since Monday" not in text and "Resolve" not in text and CODE not in text
    slack.calls.clear()

    assert snapshot(module_kb) == before
    with module_kb.connect() as conn:
        assert conn.scalar(select(Ticket.status).where(Ticket.id == ours)) == TicketStatus.OPEN


def test_members_see_only_their_own_workspace_tickets_and_stats(
    app: AppProcess, slack: FakeSlack, ours: int
) -> None:
    name = uniq("t")
    app.command("tickets", response_url=slack.response_url(name))
    listed = _answer(slack, name)
    assert f"HW-{ours}" in listed and "AIS.0004" not in listed  # AIS.0004's ticket is T0TEAM's
    name = uniq("s")
    app.command("stats AIS.0004", response_url=slack.response_url(name))
    assert "HW-" not in _answer(slack, name)


def test_a_replayed_resolve_acts_once_even_after_the_ticket_reopened(
    app: AppProcess, slack: FakeSlack, module_kb: Engine, ours: int
) -> None:
    body = form_body(slash_fields(f"resolve HW-{ours}", response_url=slack.response_url(uniq("r"))))
    from testing.slack.requests import sign

    headers = sign(body)
    assert app.post(body, content_type=FORM, headers=headers, signed=False).status == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _status(module_kb, ours) != TicketStatus.RESOLVED:
        time.sleep(0.05)
    assert _status(module_kb, ours) == TicketStatus.RESOLVED
    app.command(CODE, channel="C0OURS")  # the code is back: a regression reopens the ticket
    while time.monotonic() < deadline + 5 and _status(module_kb, ours) != TicketStatus.OPEN:
        time.sleep(0.05)
    assert _status(module_kb, ours) == TicketStatus.OPEN
    again = app.post(body, content_type=FORM, headers=headers, signed=False)
    assert again.status == 200
    time.sleep(0.5)
    assert _status(module_kb, ours) == TicketStatus.OPEN
    assert "replayed command" in app.output()


def _status(engine: Engine, ticket_id: int) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(select(Ticket.status).where(Ticket.id == ticket_id))


def test_with_external_none_outsiders_get_not_even_the_card(
    db_url: str, kb: Engine, slack: FakeSlack
) -> None:
    proc = AppProcess(db_url=db_url, slack=slack, env={"HWERROR_EXTERNAL": "none"})
    proc.start()
    try:
        inside = proc.command(CODE)
        outside = proc.post(form_body(CONNECT.fields(CODE, "C0SHARED", "")), content_type=FORM)
    finally:
        proc.stop()
    assert CODE in all_text(inside.json())
    assert outside.status == 200 and CODE not in outside.body and OUTSIDE in outside.body


def test_text_columns_exist_for_the_snapshot() -> None:
    # The snapshot compares whole rows; this guards against comparing nothing at all.
    assert any(
        isinstance(c.type, String | Text | JSON) for t in Base.metadata.sorted_tables for c in t.columns
    )
