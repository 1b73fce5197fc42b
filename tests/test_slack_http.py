"""The Slack app end to end: a real `hwerror serve` (gunicorn, two workers) on 127.0.0.1, requests
signed as Slack signs them, and every Web API and response_url call landing in a local fake Slack.

One server per database for the whole module (starting one costs a second or two); each test uses
channels and message timestamps of its own, so tests do not see each other's replies.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.core.incidents.models import Incident, Ticket
from bot.core.models import AnsweredMessage, EscalationRequest, FeedbackVote, KnowledgeGap
from knowledge.models import AuditEvent, Entry, TeamNote
from testing.slack.blocks import all_text, assert_block_kit_limits, assert_inert, buttons_of, headers_of
from testing.slack.requests import (
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    FORM,
    JSON,
    SIGNING_SECRET,
    TEAM_ID,
    AppProcess,
    block_actions,
    event_body,
    form_body,
    http,
    message,
    new_ts,
    sign,
    slash_fields,
    uniq,
)
from testing.slack.server import FakeSlack

ADMIN = "UADMIN"


# -- fixtures: one database, one fake Slack, one server per database kind ---------------------------


@pytest.fixture(scope="module")
def app(
    module_db: str, module_kb: Engine, slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppProcess]:
    proc = AppProcess(
        db_url=module_db,
        slack=slack,
        cwd=tmp_path_factory.mktemp("cwd"),
        # Automatic escalation is pinned in test_slack_incidents.py; here only "Escalate now" opens tickets.
        env={
            "HWERROR_ADMINS": ADMIN,
            "HWERROR_BOT_REPLIES_PER_MINUTE": "3",
            "HWERROR_ESCALATE_COUNT": "10000",
            "HWERROR_ESCALATE_CHANNELS": "10000",
            "HWERROR_ESCALATE_SUPPORT_COUNT": "10000",
            "HWERROR_ESCALATION_CHANNEL": "C0ESCALATE",
        },
    )
    proc.start()
    yield proc
    proc.stop()
    output = proc.output()
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output, "a secret reached the log"


def replies_in(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [c.body for c in slack.find("chat.postMessage", lambda c: c.body.get("channel") == channel)]


def assert_silent(app: AppProcess, slack: FakeSlack, channel: str) -> None:
    """Nothing was posted to `channel`: proven by a later message in it that does get its answer."""
    sentinel_ts = new_ts()
    app.event(message(channel, "AIS.0002 again", ts=sentinel_ts), event_id=uniq("Ev"))
    slack.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == sentinel_ts)
    time.sleep(0.3)
    assert [r.get("thread_ts") for r in replies_in(slack, channel)] == [sentinel_ts]


def gap_count(module_kb: Engine, code: str, *, expect: int, timeout: float = 5.0) -> int | None:
    """The knowledge-gap count of `code`, waiting (up to `timeout`) for it to reach `expect`."""
    deadline = time.monotonic() + timeout
    while True:
        with module_kb.connect() as conn:
            count = conn.scalar(select(KnowledgeGap.count).where(KnowledgeGap.code == code))
        if count == expect or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


ERROR_BODY = '{"error_code": "AIS.0005", "error_msg": "The service does not exist."}'


# -- the HTTP surface -------------------------------------------------------------------------------


def test_healthz_answers_for_the_platform(app: AppProcess) -> None:
    r = http(app.url + "/healthz")
    assert r.status == 200 and r.json() == {"ok": True}
    assert http(app.url + "/nowhere").status == 404


def test_bad_missing_and_stale_signatures_get_401_and_touch_nothing(
    app: AppProcess, slack: FakeSlack, module_kb: Engine
) -> None:
    channel = uniq("CSIG")
    body = event_body(message(channel, ERROR_BODY), event_id=uniq("Ev"))
    command = form_body(slash_fields("AIS.9000", channel=channel, response_url=slack.response_url(channel)))

    def traffic() -> int:  # what a request could cause (workers call auth.test when they boot)
        return len([c for c in slack.calls if c.method != "auth.test"])

    before = traffic()
    for content_type, raw in ((JSON, body), (FORM, command)):
        bad = sign(raw, secret="not-the-secret")
        stale = sign(raw, timestamp=int(time.time()) - 6 * 60)
        tampered = sign(raw.replace("AIS", "APIG"))
        for headers in (bad, stale, tampered, {}):
            r = http(app.url + "/slack/events", raw, {"Content-Type": content_type, **headers}, method="POST")
            assert r.status == 401, (headers, r.status, r.body)
    time.sleep(0.5)
    assert traffic() == before
    with module_kb.connect() as conn:
        assert (
            conn.scalar(
                select(func.count()).select_from(AnsweredMessage).where(AnsweredMessage.channel_id == channel)
            )
            == 0
        )
        assert (
            conn.scalar(select(func.count()).select_from(KnowledgeGap).where(KnowledgeGap.code == "AIS.9000"))
            == 0
        )


def test_url_verification_and_events_nobody_handles_get_200(app: AppProcess) -> None:
    challenge = json.dumps({"token": "t", "challenge": "abc123", "type": "url_verification"})
    r = app.post(challenge, content_type=JSON)
    assert r.status == 200 and "abc123" in r.body
    others: list[dict[str, Any]] = [
        {
            "type": "reaction_added",
            "user": "U1",
            "reaction": "eyes",
            "item": {"type": "message", "channel": "C1", "ts": "1.1"},
        },
        {"type": "member_joined_channel", "user": "U2", "channel": "C1"},
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U2",
            "channel": "C1",
            "ts": new_ts(),
            "text": "hi",
        },
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C1",
            "ts": new_ts(),
            "deleted_ts": "1.2",
        },
        {"type": "some_future_event", "channel": "C1"},
    ]
    for event in others:
        r = app.event(event, event_id=uniq("Ev"))
        assert r.status == 200, (event["type"], r.status, r.body)


# -- /hwerror ---------------------------------------------------------------------------------------


def test_slash_command_answers_with_an_ephemeral_card_well_inside_three_seconds(app: AppProcess) -> None:
    r = app.command("AIS.0027")
    assert r.status == 200 and r.elapsed < 1.0
    body = r.json()
    assert body.get("response_type", "ephemeral") == "ephemeral"
    assert headers_of(body)[0].startswith("AIS.0027 ")
    assert "What to do" in all_text(body) and "Check whether the account is in arrears" in all_text(body)
    assert {
        "hwerror_post",
        "hwerror_helpful",
        "hwerror_not_helpful",
        "hwerror_escalate",
        "hwerror_add_note",
    } <= set(buttons_of(body))
    assert_block_kit_limits(body)


@pytest.mark.parametrize("query", ["", "help", "  HELP  "])
def test_help_and_a_bare_command_explain_usage(app: AppProcess, query: str) -> None:
    r = app.command(query)
    assert r.status == 200
    assert "/hwerror AIS.0027" in all_text(r.json())


@pytest.mark.parametrize(
    "query, expected",
    [
        ("payload", None),
        ("payload too large: AIS.0027", "AIS.0027"),
        ('{"payload": {"error_code": "AIS.0027", "error_msg": "The account has been frozen."}}', "AIS.0027"),
        ('payload={"error_code":"AIS.0027"}', "AIS.0027"),
        ("&payload=%7B%7D AIS.0027", "AIS.0027"),
        ('{"error_code": "AIS.0005", "error_msg": "x"}', "AIS.0005"),
    ],
)
def test_any_text_works_including_json_and_the_word_payload(
    app: AppProcess, query: str, expected: str | None
) -> None:
    """slack-bolt's parser drops form bodies containing "payload"; ours reads forms as forms."""
    r = app.command(query)
    assert r.status == 200, r.body
    body = r.json()
    assert body.get("blocks"), body
    if expected:
        assert headers_of(body)[0].startswith(expected + " ")
    else:
        assert "payload" in all_text(body)


def test_an_unsure_lookup_offers_did_you_mean_buttons(app: AppProcess) -> None:
    body = app.command("token").json()
    text_ = all_text(body)
    assert "Not sure this is the error you meant" in text_
    picks = [k for k in buttons_of(body) if k.startswith("hwerror_pick:")]
    assert len(picks) >= 2


def test_an_unknown_code_gets_a_short_card_and_is_recorded_as_a_gap(
    app: AppProcess, module_kb: Engine
) -> None:
    for _ in range(2):
        body = app.command("AIS.0999").json()
        assert "`AIS.0999` is not in the knowledge base yet" in all_text(body)
        assert any(k.startswith("hwerror_pick:") for k in buttons_of(body))
        assert_block_kit_limits(body)
    assert gap_count(module_kb, "AIS.0999", expect=2) == 2
    with module_kb.connect() as conn:
        gap = conn.execute(select(KnowledgeGap).where(KnowledgeGap.code == "AIS.0999")).one()
    assert gap is not None and gap.count == 2 and gap.first_seen <= gap.last_seen


def test_mentions_in_a_slash_query_are_inert(app: AppProcess) -> None:
    body = app.command(
        '{"error_code": "XYZ.0001", "error_msg": "<!channel> <!here> <@U0VICTIM> '
        '<https://evil.example|click>"}'
    ).json()
    assert "&lt;!channel&gt;" in all_text(body)
    assert_inert(body)


# -- paste mode -------------------------------------------------------------------------------------


def test_an_error_in_a_channel_is_answered_in_its_thread_once_despite_retries_and_mentions(
    app: AppProcess, slack: FakeSlack
) -> None:
    channel, ts = uniq("CPASTE"), new_ts()
    event = message(channel, f"prod is failing:\n```{ERROR_BODY}```", ts=ts)
    r = app.event(event, event_id="EvOnce" + ts)
    assert r.status == 200 and r.elapsed < 1.0
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert reply.body["thread_ts"] == ts
    assert headers_of(reply.body)[0].startswith("AIS.0005 ")
    assert "hwerror_post" not in buttons_of(reply.body)  # already public
    assert reply.headers.get("Authorization") == f"Bearer {BOT_TOKEN}"
    assert_block_kit_limits(reply.body)
    # Slack retries the delivery, and the same text also arrives as app_mention.
    app.event(event, event_id="EvOnce" + ts, retry=1)
    app.event(event, event_id="EvOnce" + ts, retry=2)
    app.event({**event, "type": "app_mention", "text": f"<@{BOT_USER_ID}> {ERROR_BODY}"}, event_id=uniq("Ev"))
    time.sleep(0.5)
    assert len([r for r in replies_in(slack, channel) if r["thread_ts"] == ts]) == 1


def test_a_reply_in_a_thread_is_answered_in_that_thread(app: AppProcess, slack: FakeSlack) -> None:
    channel, parent = uniq("CTHREAD"), new_ts()
    app.event(message(channel, ERROR_BODY, thread_ts=parent), event_id=uniq("Ev"))
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert reply.body["thread_ts"] == parent


@pytest.mark.parametrize("subtype", ["file_share", "thread_broadcast"])
def test_file_shares_and_thread_broadcasts_are_answered(
    app: AppProcess, slack: FakeSlack, subtype: str
) -> None:
    channel, ts, parent = uniq("CSUB"), new_ts(), new_ts()
    extra: dict[str, Any] = {"subtype": subtype}
    if subtype == "thread_broadcast":
        extra["thread_ts"] = parent
    else:
        extra["files"] = [{"id": "F1", "name": "error.log", "preview": "x-request-id: abc\nAIS.0027"}]
    app.event(
        message(channel, "see attached" if subtype == "file_share" else ERROR_BODY, ts=ts, **extra),
        event_id=uniq("Ev"),
    )
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert reply.body["thread_ts"] == (parent if subtype == "thread_broadcast" else ts)


def test_messages_without_an_error_get_no_answer(app: AppProcess, slack: FakeSlack) -> None:
    channel = uniq("CQUIET")
    for text_ in ("deployed v1.2.3 at 10:30, see PR #4821", "lunch?", "status 200 OK in 35 ms"):
        assert app.event(message(channel, text_), event_id=uniq("Ev")).status == 200
    assert_silent(app, slack, channel)


def test_the_bot_never_answers_itself(app: AppProcess, slack: FakeSlack) -> None:
    channel = uniq("CSELF")
    app.event(message(channel, ERROR_BODY, user=BOT_USER_ID), event_id=uniq("Ev"))
    app.event({**message(channel, ERROR_BODY, user=BOT_USER_ID), "bot_id": BOT_ID}, event_id=uniq("Ev"))
    own = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": ERROR_BODY, "ts": new_ts()}
    app.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel,
            "ts": new_ts(),
            "message": own,
            "previous_message": {**own, "text": "x"},
        },
        event_id=uniq("Ev"),
    )
    assert_silent(app, slack, channel)


def test_other_bots_are_answered_but_cannot_start_a_loop(app: AppProcess, slack: FakeSlack) -> None:
    channel = uniq("CBOTS")
    monitor = {"subtype": "bot_message", "bot_id": "BMONITOR", "username": "monitor"}
    first = new_ts()
    app.event({**message(channel, ERROR_BODY, ts=first, user=""), **monitor}, event_id=uniq("Ev"))
    slack.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == first)
    # A bot talking inside a thread (perhaps to us) is not answered.
    in_thread = new_ts()
    app.event(
        {**message(channel, ERROR_BODY, ts=in_thread, user="", thread_ts=first), **monitor},
        event_id=uniq("Ev"),
    )
    # At most HWERROR_BOT_REPLIES_PER_MINUTE (3 here) of one bot's messages per channel and minute.
    more = [new_ts() for _ in range(4)]
    for ts in more:
        app.event({**message(channel, f"AIS.0027 at {ts}", ts=ts, user=""), **monitor}, event_id=uniq("Ev"))
        time.sleep(0.2)
    # Replies to one channel go out one per second: wait for the two that are due, then a while.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if len({r["thread_ts"] for r in replies_in(slack, channel)} & set(more)) >= 2:
            break
        time.sleep(0.2)
    time.sleep(2.5)
    answered = {r["thread_ts"] for r in replies_in(slack, channel)}
    assert first in answered and in_thread not in answered
    assert len(answered & set(more)) == 2


def test_an_edit_that_adds_an_error_gets_one_reply_for_the_new_code(
    app: AppProcess, slack: FakeSlack
) -> None:
    channel, ts = uniq("CEDIT"), new_ts()
    original = message(channel, ERROR_BODY, ts=ts)
    app.event(original, event_id=uniq("Ev"))
    slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    edited = {
        **original,
        "text": ERROR_BODY + "\nand now also AIS.0027",
        "edited": {"user": "U1", "ts": new_ts()},
    }
    edit_event = {
        "type": "message",
        "subtype": "message_changed",
        "channel": channel,
        "ts": new_ts(),
        "message": {k: v for k, v in edited.items() if k != "channel"},
        "previous_message": original,
    }
    app.event(edit_event, event_id=uniq("Ev"))
    replies = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel, count=2)
    assert [h.split()[0] for h in headers_of(replies[1].body)] == ["AIS.0027"]
    app.event({**edit_event, "ts": new_ts()}, event_id=uniq("Ev"))  # the same edit again (an unfurl)
    time.sleep(0.5)
    assert len(replies_in(slack, channel)) == 2


def test_a_40000_character_paste_with_many_codes_fits_block_kit(app: AppProcess, slack: FakeSlack) -> None:
    channel, ts = uniq("CBIG"), new_ts()
    codes = ["AIS.0002", "AIS.0003", "AIS.0004", "AIS.0005", "AIS.0027", "AIS.0011", "AIS.0012", "AIS.0013"]
    lines = [
        f'2024-05-01T10:00:{i:02d}Z ERROR {{"error_code": "{c}", "error_msg": "failed"}}'
        for i, c in enumerate(codes)
    ]
    filler = "INFO request served in 12 ms version 1.2.3 " * 2000
    text_ = ("\n".join(lines) + "\n" + filler)[:40_000]
    assert len(text_) == 40_000
    r = app.event(message(channel, text_, ts=ts), event_id=uniq("Ev"))
    assert r.status == 200 and r.elapsed < 1.0
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel, timeout=15)
    assert [h.split()[0] for h in headers_of(reply.body)] == codes[:5]
    assert all(c in all_text(reply.body) for c in codes[5:])
    assert "Also found" in all_text(reply.body)
    assert_block_kit_limits(reply.body)


def test_mentions_and_links_in_a_pasted_error_can_never_ping_anyone(
    app: AppProcess, slack: FakeSlack
) -> None:
    channel = uniq("CINJ")
    hostile = (
        '{"error_code": "XYZ.0002", "error_msg": "<!channel> <!here|here> <!subteam^S1> <@U0VICTIM> '
        '<#C0OTHER> <https://evil.example/login|Reset your password>"} and AIS.0027 *bold* <!everyone>'
    )
    app.event(message(channel, hostile), event_id=uniq("Ev"))
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert_inert(reply.body)
    assert reply.body.get("unfurl_links") is False
    assert all(b.get("verbatim") is True for b in _mrkdwn_objects(reply.body["blocks"]))


def _mrkdwn_objects(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "mrkdwn" else []
        return found + [o for v in node.values() for o in _mrkdwn_objects(v)]
    if isinstance(node, list):
        return [o for v in node for o in _mrkdwn_objects(v)]
    return []


def test_unknown_codes_in_a_channel_are_answered_and_recorded(
    app: AppProcess, slack: FakeSlack, module_kb: Engine
) -> None:
    channel = uniq("CGAP")
    app.event(
        message(channel, '{"error_code": "AIS.0998", "error_msg": "Brand new failure."}'), event_id=uniq("Ev")
    )
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert "`AIS.0998` is not in the knowledge base yet" in all_text(reply.body)
    assert gap_count(module_kb, "AIS.0998", expect=1) == 1  # written behind the answer, within a second or so


def test_a_429_is_waited_out_as_retry_after_says_and_the_reply_lands_once(
    app: AppProcess, slack: FakeSlack
) -> None:
    channel = uniq("C429")
    slack.fail("chat.postMessage", lambda b: b.get("channel") == channel, status=429, retry_after=1)
    app.event(message(channel, ERROR_BODY), event_id=uniq("Ev"))
    calls = slack.wait_for(
        "chat.postMessage", lambda c: c.body.get("channel") == channel, count=2, timeout=15
    )
    assert [c.answered for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0
    time.sleep(0.3)
    assert len(replies_in(slack, channel)) == 2


# -- buttons, modal, shortcut -----------------------------------------------------------------------


def test_post_to_channel_shares_the_card_and_removes_the_private_copy(
    app: AppProcess, slack: FakeSlack
) -> None:
    channel = uniq("CPOST")
    card = app.command("AIS.0027", channel=channel).json()
    response_url = slack.response_url(uniq("post"))
    r = app.interact(
        block_actions(
            buttons_of(card)["hwerror_post"],
            user="U1",
            channel=channel,
            response_url=response_url,
            message_=None,
            ephemeral=True,
        )
    )
    assert r.status == 200
    [post] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert headers_of(post.body)[0].startswith("AIS.0027 ") and "Shared by u1" in all_text(post.body)
    assert "hwerror_post" not in buttons_of(post.body)
    [gone] = slack.wait_for("response_url", lambda c: c.path.endswith(response_url.rsplit("/", 1)[1]))
    assert gone.body.get("delete_original") is True


def test_post_to_channel_where_the_bot_is_not_a_member_uses_the_response_url(
    app: AppProcess, slack: FakeSlack
) -> None:
    channel = uniq("CNOTMEMBER")
    slack.fail(
        "chat.postMessage",
        lambda b: b.get("channel") == channel,
        status=200,
        retry_after=None,
        body={"ok": False, "error": "not_in_channel"},
    )
    card = app.command("AIS.0027", channel=channel).json()
    response_url = slack.response_url(uniq("nm"))
    app.interact(
        block_actions(
            buttons_of(card)["hwerror_post"],
            user="U1",
            channel=channel,
            response_url=response_url,
            message_=None,
            ephemeral=True,
        )
    )
    calls = slack.wait_for(
        "response_url", lambda c: c.path == "/response/" + response_url.rsplit("/", 1)[1], count=2
    )
    assert calls[0].body["response_type"] == "in_channel" and headers_of(calls[0].body)


def _thread_reply(app: AppProcess, slack: FakeSlack, channel: str, text_: str = ERROR_BODY) -> dict[str, Any]:
    app.event(message(channel, text_), event_id=uniq("Ev"))
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    return {
        "type": "message",
        "ts": "9" + new_ts(),
        "bot_id": BOT_ID,
        "text": reply.body["text"],
        "blocks": reply.body["blocks"],
        "thread_ts": reply.body["thread_ts"],
    }


def test_helpful_votes_are_one_per_person_and_show_on_the_card(
    app: AppProcess, slack: FakeSlack, module_kb: Engine
) -> None:
    channel = uniq("CVOTE")
    posted = _thread_reply(app, slack, channel)
    buttons = buttons_of(posted)

    def press(action_id: str, user: str) -> None:
        app.interact(
            block_actions(
                buttons[action_id],
                user=user,
                channel=channel,
                response_url=slack.response_url(uniq("v")),
                message_=posted,
                ephemeral=False,
            )
        )

    press("hwerror_helpful", "U1")
    press("hwerror_helpful", "U1")  # again: still one vote
    updates = slack.wait_for("chat.update", lambda c: c.body.get("channel") == channel, count=2)
    assert updates[-1].body["ts"] == posted["ts"]
    assert ":+1: 1  :-1: 0" in all_text(updates[-1].body)
    press("hwerror_not_helpful", "U1")  # changes U1's vote
    press("hwerror_helpful", "U2")
    updates = slack.wait_for("chat.update", lambda c: c.body.get("channel") == channel, count=4)
    time.sleep(0.2)
    with module_kb.connect() as conn:
        entry_id = conn.scalar(select(Entry.id).where(Entry.code == "AIS.0005"))
        votes = dict(
            conn.execute(
                select(FeedbackVote.user_id, FeedbackVote.helpful).where(FeedbackVote.entry_id == entry_id)
            ).all()
        )
    assert votes["U1"] is False and votes["U2"] is True
    last = slack.find("chat.update", lambda c: c.body.get("channel") == channel)[-1]
    assert ":+1: 1  :-1: 1" in all_text(last.body) or ":+1: 1  :-1: 1" in all_text(updates[-1].body)
    assert_block_kit_limits(last.body)


def test_escalate_now_opens_a_ticket_and_announces_it(
    app: AppProcess, slack: FakeSlack, module_kb: Engine
) -> None:
    channel = uniq("CESC")
    posted = _thread_reply(app, slack, channel)
    # The paste is recorded just after its reply is posted. The press is no sighting of its own,
    # so the card names the channel through the paste's incident: wait for it, as a person would.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with module_kb.connect() as conn:
            if conn.scalar(select(func.count()).where(Incident.channel == channel)):
                break
        time.sleep(0.05)
    response_url = slack.response_url(uniq("esc"))
    app.interact(
        block_actions(
            buttons_of(posted)["hwerror_escalate"],
            user="U3",
            channel=channel,
            response_url=response_url,
            message_=posted,
            ephemeral=False,
        )
    )
    [ack] = slack.wait_for("response_url", lambda c: c.path.endswith(response_url.rsplit("/", 1)[1]))
    assert "*AIS.0005* escalated: ticket HW-" in all_text(ack.body)
    [update] = slack.wait_for("chat.update", lambda c: c.body.get("channel") == channel)
    assert "escalation requested" in all_text(update.body)
    [card] = slack.wait_for(
        "chat.postMessage", lambda c: c.body.get("channel") == "C0ESCALATE" and channel in json.dumps(c.body)
    )
    assert "Escalated: AIS.0005" in all_text(card.body) and "escalated by u3 (U3)" in all_text(card.body)
    assert "hwerror_resolve_ticket" in json.dumps(card.body)
    with module_kb.connect() as conn:
        ticket = conn.execute(select(Ticket).where(Ticket.code == "AIS.0005")).one()
        assert ticket.status == "open" and ticket.backend == "internal"
        row = conn.execute(select(EscalationRequest).where(EscalationRequest.channel_id == channel)).one()
    assert (row.code, row.service, row.requested_by, row.status) == (
        "AIS.0005",
        "content-moderation",
        "u3 (U3)",
        "requested",
    )


def test_did_you_mean_shows_the_picked_card(app: AppProcess, slack: FakeSlack) -> None:
    channel = uniq("CPICK")
    body = app.command("token", channel=channel).json()
    pick = next(v for k, v in buttons_of(body).items() if k.startswith("hwerror_pick:"))
    response_url = slack.response_url(uniq("pick"))
    app.interact(
        block_actions(
            pick, user="U1", channel=channel, response_url=response_url, message_=None, ephemeral=True
        )
    )
    [shown] = slack.wait_for("response_url", lambda c: c.path.endswith(response_url.rsplit("/", 1)[1]))
    assert shown.body["replace_original"] is True
    assert headers_of(shown.body)[0].startswith(json.loads(pick["value"])["c"] + " ")


def view_submission(user: str, metadata: str, note: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": "t",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": "hwerror_note_modal",
            "private_metadata": metadata,
            "team_id": TEAM_ID,
            "state": {"values": {"note": {"note_text": {"type": "plain_text_input", "value": note}}}},
        },
    }


def test_add_team_note_opens_a_modal_and_only_admins_may_save(
    app: AppProcess, slack: FakeSlack, module_kb: Engine
) -> None:
    channel = uniq("CNOTE")
    card = app.command("AIS.0013", channel=channel).json()
    r = app.interact(
        block_actions(
            buttons_of(card)["hwerror_add_note"],
            user=ADMIN,
            channel=channel,
            response_url=slack.response_url(uniq("n")),
            message_=None,
            ephemeral=True,
        )
    )
    assert r.status == 200
    [opened] = slack.wait_for("views.open", lambda c: c.body["view"]["private_metadata"].find(channel) >= 0)
    assert opened.at - slack.calls[0].at >= 0 and opened.body["trigger_id"].startswith("trigger-")
    view = opened.body["view"]
    assert view["callback_id"] == "hwerror_note_modal" and view["type"] == "modal"
    metadata = view["private_metadata"]

    refused = app.interact(view_submission("U1", metadata, "<!channel> restart the pod"))
    assert refused.status == 200
    assert (
        refused.json()["response_action"] == "errors" and "HWERROR_ADMINS" in refused.json()["errors"]["note"]
    )
    empty = app.interact(view_submission(ADMIN, metadata, "   "))
    assert empty.json()["response_action"] == "errors"

    saved = app.interact(
        view_submission(ADMIN, metadata, "<!channel> Usually a stale token: restart the pod.")
    )
    assert saved.status == 200 and saved.body in ("", "{}")
    slack.wait_for(
        "chat.postEphemeral", lambda c: c.body.get("channel") == channel and c.body["user"] == ADMIN
    )
    with module_kb.connect() as conn:
        note = conn.execute(select(TeamNote).join(Entry).where(Entry.code == "AIS.0013")).one()
        audit = conn.execute(
            select(AuditEvent).where(AuditEvent.action == "note_added", AuditEvent.entry_id == note.entry_id)
        ).one()
    assert note.author == "uadmin (UADMIN)" and audit.actor == note.author and note.created_at is not None
    # The worker that saved it shows it at once; the other within its cache check (2 s).
    deadline = time.monotonic() + 5
    while True:
        shown = app.command("AIS.0013").json()
        if "Usually a stale token" in all_text(shown) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "Usually a stale token" in all_text(shown) and "uadmin (UADMIN)" in all_text(shown)
    assert_inert(shown)


def test_the_message_shortcut_explains_any_message(app: AppProcess, slack: FakeSlack) -> None:
    channel, ts, parent = uniq("CSHORT"), new_ts(), new_ts()
    response_url = slack.response_url(uniq("sc"))
    payload = {
        "type": "message_action",
        "callback_id": "hwerror_explain",
        "trigger_id": "t1",
        "team": {"id": TEAM_ID, "domain": "test"},
        "channel": {"id": channel, "name": "support"},
        "user": {"id": "U1", "username": "u1", "name": "u1", "team_id": TEAM_ID},
        "message": {
            "type": "message",
            "user": "U9",
            "ts": ts,
            "thread_ts": parent,
            "text": "caller says: ModelArts.4101 token is empty",
        },
        "response_url": response_url,
        "message_ts": ts,
        "token": "legacy",
    }
    assert app.interact(payload).status == 200
    [shown] = slack.wait_for("response_url", lambda c: c.path.endswith(response_url.rsplit("/", 1)[1]))
    assert shown.body["response_type"] == "ephemeral"
    assert headers_of(shown.body)[0].startswith("ModelArts.4101 ")
    assert json.loads(buttons_of(shown.body)["hwerror_post"]["value"])["t"] == parent
    # Nothing to explain: said privately, not silently.
    response_url2 = slack.response_url(uniq("sc"))
    quiet = {**payload["message"], "text": "all good now"}  # type: ignore[dict-item]
    app.interact({**payload, "response_url": response_url2, "message": quiet})
    [none] = slack.wait_for("response_url", lambda c: c.path.endswith(response_url2.rsplit("/", 1)[1]))
    assert "no Huawei Cloud error" in all_text(none.body)


def test_the_bot_identified_itself_with_auth_test_at_our_base_url(app: AppProcess, slack: FakeSlack) -> None:
    calls = slack.find("auth.test")
    assert calls and all(c.headers.get("Authorization") == f"Bearer {BOT_TOKEN}" for c in calls)
    assert Path(app.log).exists()


def test_a_reply_that_could_not_be_posted_is_answered_by_the_retry(app: AppProcess, slack: FakeSlack) -> None:
    channel, ts = uniq("CRELEASE"), new_ts()
    slack.fail(
        "chat.postMessage",
        lambda b: b.get("channel") == channel,
        status=200,
        retry_after=None,
        body={"ok": False, "error": "internal_error"},
    )
    event = message(channel, ERROR_BODY, ts=ts)
    app.event(event, event_id="EvRel" + ts)
    slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    time.sleep(0.3)  # the failed reply's claim is given back
    app.event(event, event_id="EvRel" + ts, retry=1)
    calls = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel, count=2)
    assert [c.answered for c in calls] == [200, 200] and calls[1].body["thread_ts"] == ts
    app.event(event, event_id="EvRel" + ts, retry=2)
    time.sleep(0.5)
    assert len(replies_in(slack, channel)) == 2  # the failed one and the one that landed; no third


def test_interactions_nobody_handles_get_200(app: AppProcess) -> None:
    action = {
        "action_id": "some_old_button",
        "_block": "b1",
        "value": "x",
        "text": {"type": "plain_text", "text": "Old"},
    }
    r = app.interact(
        block_actions(action, user="U1", channel="C1", response_url="", message_=None, ephemeral=False)
    )
    assert r.status == 200


def _answered(name: str, call: Any) -> bool:
    return bool(call.path.endswith(name))


def _effects(conn: Any, *, workspace: str, vote_user: str, who: str) -> dict[str, Any]:
    """What one person's vote, escalation and note left in the database, with their name taken out."""
    entry_id = conn.scalar(select(Entry.id).where(Entry.code == "AIS.0021"))
    ticket = conn.execute(
        select(Ticket).where(Ticket.workspace == workspace, Ticket.code == "AIS.0021")
    ).one()
    request = conn.execute(
        select(EscalationRequest).where(
            EscalationRequest.requested_by == who, EscalationRequest.code == "AIS.0021"
        )
    ).one()
    note = conn.execute(select(TeamNote).where(TeamNote.entry_id == entry_id, TeamNote.author == who)).one()
    audit = conn.execute(
        select(AuditEvent).where(
            AuditEvent.action == "note_added", AuditEvent.actor == who, AuditEvent.entry_id == entry_id
        )
    ).one()
    incidents = conn.execute(
        select(Incident.source, Incident.ticket_id == ticket.id).where(
            Incident.workspace == workspace, Incident.code == "AIS.0021"
        )
    ).all()
    vote = conn.scalar(
        select(FeedbackVote.helpful).where(
            FeedbackVote.entry_id == entry_id, FeedbackVote.user_id == vote_user
        )
    )
    return {
        "vote": vote,
        "request": (request.code, request.service, request.status, request.entry_id == entry_id),
        "ticket": (ticket.service, ticket.status, ticket.reason.replace(who, "WHO"), ticket.backend),
        # (source, linked to the ticket): the card's own sighting, linked; the press is no incident.
        "incidents": sorted(
            (str(source).replace("shell", "SOURCE").replace("command", "SOURCE"), bool(linked))
            for source, linked in incidents
        ),
        "note": (note.text, audit.actor == note.author),
    }


def test_the_shell_and_slack_run_the_same_flows_with_the_same_stored_effects(
    app: AppProcess, slack: FakeSlack, module_kb: Engine, module_db: str
) -> None:
    from testing.cli import run_cli

    # Slack: the card, two votes, Escalate now, a note through the modal.
    channel = uniq("CSAME")
    card = app.command("AIS.0021", channel=channel).json()
    buttons = buttons_of(card)
    for action in ("hwerror_helpful", "hwerror_not_helpful", "hwerror_escalate"):
        name = uniq("same")  # one press at a time: each answers its response URL when it is done
        app.interact(
            block_actions(
                buttons[action],
                user=ADMIN,
                channel=channel,
                response_url=slack.response_url(name),
                message_=None,
                ephemeral=True,
            )
        )
        slack.wait_for("response_url", functools.partial(_answered, name))
    app.interact(
        block_actions(
            buttons["hwerror_add_note"],
            user=ADMIN,
            channel=channel,
            response_url=slack.response_url(uniq("same")),
            message_=None,
            ephemeral=True,
        )
    )
    [opened] = slack.wait_for("views.open", lambda c: c.body["view"]["private_metadata"].find(channel) >= 0)
    app.interact(view_submission(ADMIN, opened.body["view"]["private_metadata"], "Check the bucket policy."))
    slack.wait_for("chat.postEphemeral", lambda c: c.body.get("channel") == channel)
    # The shell: the same card and the same four actions, typed.
    script = "/hwerror AIS.0021\n/helpful\n/unhelpful\n/escalate\n/note\nCheck the bucket policy.\n"
    shell = run_cli("chat", db_url=module_db, stdin=script, extra_env={"USER": "dana", "LOGNAME": "dana"})
    assert shell.returncode == 0, shell.stderr
    with module_kb.connect() as conn:
        in_slack = _effects(conn, workspace=TEAM_ID, vote_user=ADMIN, who="uadmin (UADMIN)")
        in_shell = _effects(conn, workspace="shell", vote_user="shell:dana", who="dana (shell)")
    assert in_slack == in_shell
    assert in_slack["vote"] is False and in_slack["incidents"] == [("SOURCE", True)]
    assert in_slack["ticket"][1:3] == ("open", "escalated by WHO")
