"""Every error Slack shows is seen: text, attachments, blocks of every kind, snippets past their preview."""

from __future__ import annotations

from typing import Any

from bot.slack.message_text import message_text

ALERT = '{"error_code": "AIS.0005", "error_msg": "The service does not exist."}'


def _rich(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich_text", "elements": list(elements)}


def test_an_alerting_bots_attachment_is_read_when_its_text_is_empty() -> None:
    message = {
        "text": "",
        "attachments": [
            {
                "pretext": "Alert fired",
                "title": "moderation-prod",
                "text": f"Request failed: {ALERT}",
                "fields": [{"title": "Error code", "value": "AIS.0027"}],
                "fallback": "moderation-prod: Request failed",
            }
        ],
    }
    text = message_text(message)
    assert "AIS.0005" in text and "AIS.0027" in text and "Alert fired" in text
    assert "moderation-prod: Request failed" in text


def test_blocks_of_every_kind_are_read() -> None:
    message = {
        "text": "",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Deploy failed"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "code *AIS.0002*"},
                "fields": [
                    {"type": "mrkdwn", "text": "*Status*\n403"},
                    {"type": "mrkdwn", "text": "AIS.0003"},
                ],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "request_id 5f1e2c"}]},
            _rich(
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "saw "},
                        {"type": "text", "text": "AIS.0004", "style": {"code": True}},
                    ],
                },
                {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": ALERT}]},
                {
                    "type": "rich_text_quote",
                    "elements": [{"type": "text", "text": "ModelArts.4101 from the gateway"}],
                },
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": "then AIS.0011"}],
                        },
                        {
                            "type": "rich_text_section",
                            "elements": [
                                {"type": "link", "url": "https://support.huaweicloud.com/x", "text": "docs"},
                                {"type": "user", "user_id": "U1"},
                                {"type": "emoji", "name": "fire"},
                            ],
                        },
                    ],
                },
            ),
        ],
    }
    text = message_text(message)
    for piece in (
        "Deploy failed",
        "AIS.0002",
        "403",
        "AIS.0003",
        "request_id 5f1e2c",
        "saw AIS.0004",
        "AIS.0005",
        "ModelArts.4101",
        "then AIS.0011",
        "docs https://support.huaweicloud.com/x",
    ):
        assert piece in text, piece


def test_text_repeated_by_the_blocks_or_a_fallback_is_read_once() -> None:
    said = "getting AIS.0027 from the moderation API"
    message = {
        "text": said,
        "blocks": [_rich({"type": "rich_text_section", "elements": [{"type": "text", "text": said}]})],
        "attachments": [{"text": said, "fallback": f"  {said} "}],
    }
    assert message_text(message) == said


def test_previews_of_shared_files_are_read_and_odd_shapes_are_ignored() -> None:
    message = {
        "text": "see the log",
        "files": [{"preview": "... AIS.0013 ..."}, "not a file", {"preview": None}],
        "attachments": "not a list",
        "blocks": [{"type": "section", "text": "not an object"}, {"type": "rich_text", "elements": [None]}],
    }
    assert message_text(message) == "see the log\n... AIS.0013 ..."


def test_extra_text_from_fetched_snippets_follows_the_message() -> None:
    message = {"text": "log attached", "files": [{"preview": "line 1\nline 2"}]}
    assert message_text(message, ["line 1\nline 2\n...\nAIS.0005 at line 900"]).endswith(
        "AIS.0005 at line 900"
    )
