"""A real `hwerror serve` sees every error Slack shows: attachments, blocks, snippets past their
preview, the shortcut on such messages; and answers every delivery it has no listener for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from testing.slack.blocks import all_text, headers_of
from testing.slack.requests import BOT_TOKEN, JSON, TEAM_ID, AppProcess, message, new_ts, uniq
from testing.slack.server import FakeSlack

ALERT = '{"error_code": "AIS.0005", "error_msg": "The service does not exist."}'


@pytest.fixture(scope="module")
def app(
    module_db: str, module_kb: Engine, slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppProcess]:
    proc = AppProcess(db_url=module_db, slack=slack, cwd=tmp_path_factory.mktemp("cwd"))
    proc.start()
    yield proc
    proc.stop()


def _reply(slack: FakeSlack, channel: str) -> dict[str, Any]:
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    return reply.body


def test_an_alerting_bots_attachment_gets_a_threaded_reply(app: AppProcess, slack: FakeSlack) -> None:
    channel, ts = uniq("CALERT"), new_ts()
    event = message(channel, "", ts=ts, subtype="bot_message", bot_id="BMONITOR", username="Grafana")
    event.pop("user")
    event["attachments"] = [
        {"title": "moderation-prod", "text": f"Request failed: {ALERT}", "fallback": ALERT}
    ]
    assert app.event(event, event_id=uniq("Ev")).status == 200
    reply = _reply(slack, channel)
    assert reply["thread_ts"] == ts and headers_of(reply)[0].startswith("AIS.0005 ")
    assert len(headers_of(reply)) == 1  # the fallback repeats the text: one card


def test_a_rich_text_only_message_is_answered(app: AppProcess, slack: FakeSlack) -> None:
    channel = uniq("CRICH")
    event = message(channel, "")
    event["blocks"] = [
        {
            "type": "rich_text",
            "elements": [{"type": "rich_text_preformatted", "elements": [{"type": "text", "text": ALERT}]}],
        }
    ]
    app.event(event, event_id=uniq("Ev"))
    assert headers_of(_reply(slack, channel))[0].startswith("AIS.0005 ")


def test_a_snippet_whose_error_is_past_its_preview_is_read_whole(app: AppProcess, slack: FakeSlack) -> None:
    channel, name = uniq("CSNIP"), uniq("F")
    content = (
        "\n".join(f"INFO line {i}: all good" for i in range(300))
        + "\nERROR AIS.0027 The account has been frozen.\n"
    )
    event = message(channel, "the log, see the end", subtype="file_share")
    event["files"] = [
        {
            "id": name,
            "mode": "snippet",
            "filetype": "text",
            "preview": "\n".join(content.splitlines()[:5]),
            "preview_is_truncated": True,
            "url_private": slack.host_file(name, content),
        }
    ]
    app.event(event, event_id=uniq("Ev"))
    assert headers_of(_reply(slack, channel))[0].startswith("AIS.0027 ")
    [download] = slack.find("files.download", lambda c: c.path.endswith(name))
    assert download.headers.get("Authorization") == f"Bearer {BOT_TOKEN}"


def test_a_snippet_on_a_host_that_is_not_slacks_is_not_fetched(app: AppProcess, slack: FakeSlack) -> None:
    channel = uniq("CSNIPX")
    event = message(channel, "see the preview: AIS.0002", subtype="file_share")
    event["files"] = [
        {
            "id": "FX",
            "mode": "snippet",
            "preview": "x",
            "preview_is_truncated": True,
            "url_private": "https://evil.example.com/steal",
        }
    ]
    app.event(event, event_id=uniq("Ev"))
    assert headers_of(_reply(slack, channel))[0].startswith("AIS.0002 ")  # answered from what it shows


def test_the_shortcut_explains_a_message_whose_error_is_in_its_blocks(
    app: AppProcess, slack: FakeSlack
) -> None:
    channel = uniq("CSHB")
    response_url = slack.response_url(uniq("sb"))
    payload = {
        "type": "message_action",
        "callback_id": "hwerror_explain",
        "trigger_id": "t1",
        "team": {"id": TEAM_ID, "domain": "test"},
        "channel": {"id": channel, "name": "support"},
        "user": {"id": "U1", "username": "u1", "name": "u1", "team_id": TEAM_ID},
        "message": {
            "type": "message",
            "ts": new_ts(),
            "text": "",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"```{ALERT}```"}}],
        },
        "response_url": response_url,
    }
    assert app.interact(payload).status == 200
    [shown] = slack.wait_for("response_url", lambda c: c.path.endswith(response_url.rsplit("/", 1)[1]))
    assert headers_of(shown.body)[0].startswith("AIS.0005 ")


def test_app_rate_limited_and_unknown_interactions_are_answered_200(
    app: AppProcess, slack: FakeSlack
) -> None:
    limited = {
        "token": "legacy",
        "type": "app_rate_limited",
        "team_id": TEAM_ID,
        "minute_rate_limited": 1518467820,
        "api_app_id": "A0001",
    }
    assert app.post(json.dumps(limited), content_type=JSON).status == 200
    assert "rate-limiting this app's events" in app.output()

    response_url = slack.response_url(uniq("old"))
    button = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": "U1", "username": "u1", "name": "u1", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "trigger_id": "t2",
        "channel": {"id": "C1", "name": "support"},
        "container": {"type": "message", "message_ts": new_ts(), "channel_id": "C1"},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": "hwerror_retired_button", "block_id": "b", "value": "x"}],
    }
    assert app.interact(button).status == 200
    [said] = slack.wait_for("response_url", lambda c: c.path.endswith(response_url.rsplit("/", 1)[1]))
    assert "older version of hwerror" in all_text(said.body)

    form = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": "U1", "username": "u1", "name": "u1", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "trigger_id": "t3",
        "view": {
            "id": "V9",
            "type": "modal",
            "callback_id": "hwerror_retired_form",
            "private_metadata": "",
            "team_id": TEAM_ID,
            "state": {"values": {}},
        },
    }
    answer = app.interact(form)
    assert answer.status == 200 and answer.json()["response_action"] == "update"
    assert "older version of hwerror" in json.dumps(answer.json()["view"])
