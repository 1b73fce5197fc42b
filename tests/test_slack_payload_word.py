"""The "payload" fix, pinned below the HTTP tests: slack-bolt's own parser drops any form body that
contains the letters "payload"; ours reads a form as a form, in the request and in its copies."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from slack_bolt.request.internals import parse_body

from bot.slack.server import FORM, SlackFormRequest, parse_slack_body
from testing.slack.requests import sign, slash_fields

TEXTS = ["payload", "payload too large", '{"payload": 1}', "payload=AIS.0027", "x&payload=y", "{AIS.0027}"]


def test_slack_bolts_parser_drops_a_slash_command_containing_payload() -> None:
    # If this starts failing, slack-bolt fixed its parser and SlackFormRequest may be retired.
    assert parse_body(urlencode(slash_fields("payload too large")), FORM) == {}


@pytest.mark.parametrize("text", TEXTS)
def test_a_slash_command_form_is_parsed_as_a_form_whatever_its_text(text: str) -> None:
    fields = slash_fields(text)
    assert parse_slack_body(urlencode(fields), FORM) == fields


def test_interactivity_payloads_and_json_events_still_parse() -> None:
    payload = {"type": "block_actions", "actions": [{"action_id": "x", "value": "payload"}]}
    assert parse_slack_body(urlencode({"payload": json.dumps(payload)}), FORM) == payload
    event = {"type": "event_callback", "event": {"type": "message", "text": "payload"}}
    assert parse_slack_body(json.dumps(event), "application/json") == event


@pytest.mark.parametrize("text", TEXTS)
def test_the_request_and_its_copies_carry_the_command_and_its_context(text: str) -> None:
    raw = urlencode(slash_fields(text, user="U42", channel="C42"))
    headers = {"content-type": FORM, **{k.lower(): v for k, v in sign(raw).items()}}
    req = SlackFormRequest(body=raw, headers=headers)
    for r in (req, req.to_copyable()):
        assert r.body["command"] == "/hwerror" and r.body["text"] == text
        assert r.context.user_id == "U42" and r.context.channel_id == "C42"
        assert r.raw_body == raw  # the signature is checked against the bytes Slack sent
