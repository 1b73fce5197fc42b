"""Screenshots in Slack, end to end against a real `hwerror serve` and the local Slack: a
`file_share` with an image is downloaded with the bot token, read (OCR), answered in the thread as
"read from the screenshot", and recorded as an image incident with its text redacted; the shortcut
says why an image could not be read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.core.incidents.enums import Source
from bot.core.incidents.models import Incident
from bot.core.redaction import MASK
from testing.images import screenshot
from testing.slack.blocks import all_text, headers_of
from testing.slack.requests import BOT_TOKEN, TEAM_ID, AppProcess, message, new_ts, uniq
from testing.slack.server import FakeSlack

OCR_WAIT = 180.0  # the first image loads the models; the machine may be busy


@pytest.fixture(scope="module")
def app(
    module_db: str, module_kb: Engine, slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppProcess]:
    proc = AppProcess(
        db_url=module_db, slack=slack, cwd=tmp_path_factory.mktemp("cwd"), env={"HWERROR_OCR_TIMEOUT": "170"}
    )
    proc.start()
    yield proc
    proc.stop()


def image_file(slack: FakeSlack, data: bytes, **extra: Any) -> dict[str, Any]:
    name = uniq("F")
    return {
        "id": name,
        "name": "screenshot.png",
        "mimetype": "image/png",
        "filetype": "png",
        "size": len(data),
        "url_private_download": slack.host_file(name, data),
        **extra,
    }


def explain(app: AppProcess, slack: FakeSlack, files: list[dict[str, Any]]) -> dict[str, Any]:
    response_url = slack.response_url(uniq("img"))
    payload = {
        "type": "message_action",
        "callback_id": "hwerror_explain",
        "trigger_id": "t1",
        "team": {"id": TEAM_ID, "domain": "test"},
        "channel": {"id": uniq("CSH"), "name": "support"},
        "user": {"id": "U1", "username": "u1", "name": "u1", "team_id": TEAM_ID},
        "message": {"type": "message", "ts": new_ts(), "text": "", "files": files, "upload": True},
        "response_url": response_url,
    }
    assert app.interact(payload).status == 200
    [shown] = slack.wait_for(
        "response_url", lambda c: c.path.endswith(response_url.rsplit("/", 1)[1]), timeout=OCR_WAIT
    )
    return shown.body


def recorded(engine: Engine, channel: str) -> list[Any]:
    """The channel's incidents, once the reply's recording (which follows the reply) is done."""
    deadline = time.monotonic() + 10
    while True:
        with engine.connect() as conn:
            rows = list(conn.execute(select(Incident).where(Incident.channel == channel)).all())
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_a_screenshot_in_a_channel_gets_a_threaded_reply_and_an_image_incident(
    app: AppProcess, slack: FakeSlack, module_kb: Engine
) -> None:
    channel, ts = uniq("CIMG"), new_ts()
    picture = screenshot(
        [
            "db=postgresql://app:hunter2@db.internal:5432/prod password=Sup3r-S3cret!",
            '{"error_code": "AIS.0005", "error_msg": "The service does not exist."}',
        ],
    )
    event = message(channel, "", ts=ts, subtype="file_share")
    event["files"] = [image_file(slack, picture)]
    assert app.event(event, event_id=uniq("Ev")).status == 200
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel, timeout=OCR_WAIT)
    assert reply.body["thread_ts"] == ts
    assert headers_of(reply.body)[0].startswith("AIS.0005 ")
    assert "Read from the screenshot" in all_text(reply.body)
    [download] = slack.find("files.download", lambda c: c.path.endswith(event["files"][0]["id"]))
    assert download.headers.get("Authorization") == f"Bearer {BOT_TOKEN}"
    [incident] = recorded(module_kb, channel)
    assert incident.source == Source.IMAGE and incident.code == "AIS.0005"
    assert MASK in incident.excerpt and "hunter2" not in incident.excerpt and "S3cret" not in incident.excerpt


def test_the_shortcut_on_a_pdf_says_why_it_was_not_read(app: AppProcess, slack: FakeSlack) -> None:
    pdf = {
        "id": uniq("F"),
        "name": "error.pdf",
        "filetype": "pdf",
        "mimetype": "application/pdf",
        "url_private_download": slack.host_file(uniq("pdf"), b"%PDF-1.7\n%%EOF"),
    }
    shown = explain(app, slack, [pdf])
    assert "found no Huawei Cloud error" in all_text(shown) and "it is a PDF" in all_text(shown)


def test_the_shortcut_on_a_screenshot_without_an_error_finds_nothing(
    app: AppProcess, slack: FakeSlack
) -> None:
    picture = screenshot(
        ["Name: huaweicloudsdkcore", "Version: 3.1.120", "Requires: requests"], theme="light"
    )
    shown = explain(app, slack, [image_file(slack, picture)])
    assert headers_of(shown) == [] and "found no Huawei Cloud error" in all_text(shown)


def test_an_image_larger_than_the_cap_is_not_downloaded(app: AppProcess, slack: FakeSlack) -> None:
    big = image_file(slack, b"\x89PNG" + b"\0" * 100, size=60_000_000)
    shown = explain(app, slack, [big])
    assert "larger than the limit" in all_text(shown)
    assert slack.find("files.download", lambda c: c.path.endswith(big["id"])) == []
