"""Hostile requests against the real server: every one answered 4xx (or a polite 200) with nothing
stored, no 500, no request body in the log, and one log line each."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from bot.core.incidents.models import Incident
from bot.core.models import KnowledgeGap
from testing.slack.requests import (
    FORM,
    JSON,
    AppProcess,
    event_body,
    form_body,
    interaction_body,
    message,
    new_ts,
    sign,
    slash_fields,
    uniq,
)
from testing.slack.server import FakeSlack

MARKER = "hostile-body-marker-7f3a"
LIMIT = 65_536


@pytest.fixture(scope="module")
def app(module_db: str, module_kb: Engine, slack: FakeSlack) -> Iterator[AppProcess]:
    proc = AppProcess(db_url=module_db, slack=slack, env={"HWERROR_MAX_BODY_BYTES": str(LIMIT)})
    proc.start()
    yield proc
    proc.stop()
    assert MARKER not in proc.output(), "a request body reached the log"
    assert "Traceback" not in proc.output()


# "NOW.5" is now with a fraction, made when the test runs: collected names must not depend on
# the clock (parallel workers collect separately and must agree).
@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "NOW.5", "-1", "99999999999999"])
def test_a_timestamp_that_is_not_an_integer_is_refused_with_401(app: AppProcess, timestamp: str) -> None:
    timestamp = timestamp.replace("NOW", str(int(time.time())))
    body = form_body(slash_fields(f"AIS.0027 {MARKER}"))
    headers = {**sign(body), "X-Slack-Request-Timestamp": timestamp}
    assert app.post(body, content_type=FORM, headers=headers, signed=False).status == 401


def test_a_stale_or_unsigned_body_is_refused_and_only_its_size_is_logged(app: AppProcess) -> None:
    body = form_body(slash_fields(f"AIS.0027 password={MARKER}"))
    stale = sign(body, timestamp=int(time.time()) - 360)
    assert app.post(body, content_type=FORM, headers=stale, signed=False).status == 401
    assert app.post(body, content_type=FORM, signed=False).status == 401
    assert f"refused request ({len(body)} bytes): bad or stale signature" in app.output()


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("[1, 2]", JSON),
        ("null", JSON),
        ('"a string"', JSON),
        ("42", JSON),
        (json.dumps({"type": "event_callback", "event": MARKER, "team_id": "T0001"}), JSON),
        (interaction_body([1, 2]), FORM),  # type: ignore[arg-type]
        ("payload=" + json.dumps("x"), FORM),
        (json.dumps({"type": "block_actions", "actions": "x", "user": {"id": "U1"}}), JSON),
    ],
    ids=["list", "null", "string", "number", "event-string", "payload-list", "payload-string", "actions"],
)
def test_signed_bodies_of_the_wrong_shape_get_400_and_store_nothing(
    app: AppProcess, module_kb: Engine, body: str, content_type: str
) -> None:
    before = _counts(module_kb)
    r = app.post(body, content_type=content_type)
    assert r.status == 400
    assert _counts(module_kb) == before


def test_a_note_modal_with_unreadable_metadata_is_answered_on_the_field(app: AppProcess) -> None:
    for metadata in ("not json", "[1]", json.dumps({"s": "x", "c": "y", "v": "zero"})):
        view = {
            "id": "V1",
            "type": "modal",
            "callback_id": "hwerror_note_modal",
            "private_metadata": metadata,
            "state": {"values": {"note": {"note_text": {"type": "plain_text_input", "value": MARKER}}}},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": "T0001"},
            "user": {"id": "U1", "team_id": "T0001"},
        }
        r = app.interact({**payload, "view": view, "api_app_id": "A0001", "token": "t", "trigger_id": "t"})
        assert r.status == 200 and "out of date" in r.body, metadata


def test_a_body_over_the_limit_is_refused_before_it_is_read(app: AppProcess) -> None:
    host, port = "127.0.0.1", app.port
    size = 50 * LIMIT
    with socket.create_connection((host, port), timeout=10) as s:
        head = (
            f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\nContent-Type: {JSON}\r\n"
            f"Content-Length: {size}\r\nX-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=x\r\n\r\n"
        )
        s.sendall(head.encode() + MARKER.encode() * 100)  # the rest never comes: it must not wait for it
        answer = s.recv(200).decode()
    assert answer.startswith("HTTP/1.1 413")
    assert f"refused request ({size} bytes): body over {LIMIT} bytes, not read" in app.output()


def test_nul_bytes_are_dropped_and_the_paste_is_still_recorded(
    app: AppProcess, slack: FakeSlack, module_kb: Engine
) -> None:
    started = time.monotonic()
    name = uniq("nul")
    assert app.command("stats \x00", response_url=slack.response_url(name)).status == 200
    slack.wait_for("response_url", lambda c: c.path.endswith("/" + name))
    assert time.monotonic() - started < 3
    channel, ts = uniq("CNUL"), new_ts()
    app.event(
        message(channel, '{"error_code": "AIS.0027\x00", "error_msg": "x\x00y"}', ts=ts), event_id=uniq("Ev")
    )
    slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert _incidents_in(module_kb, channel) == 1


def test_one_message_naming_3000_unknown_codes_records_at_most_50(
    app: AppProcess, slack: FakeSlack, module_kb: Engine
) -> None:
    channel, ts = uniq("CFLOOD"), new_ts()
    text = " ".join(f"APIG.{n:04d}" for n in range(3000))
    app.event(message(channel, text, ts=ts), event_id=uniq("Ev"))
    [reply] = slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
    assert "more codes, not looked at" in json.dumps(reply.body)
    time.sleep(1.5)  # gaps are written about once a second
    assert 1 <= _incidents_in(module_kb, channel) <= 50
    with module_kb.connect() as conn:
        gaps = conn.scalar(
            select(func.count()).select_from(KnowledgeGap).where(KnowledgeGap.code.like("APIG.%"))
        )
    assert gaps is not None and gaps <= 50


def test_an_event_body_with_a_secret_and_a_bad_signature_leaves_no_trace(app: AppProcess) -> None:
    body = event_body(message("C1", f"x-auth-token: {MARKER}"), event_id=uniq("Ev"))
    assert app.post(body, content_type=JSON, headers={"X-Slack-Signature": "v0=00"}).status == 401


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(Incident)) or 0,
            conn.scalar(select(func.count()).select_from(KnowledgeGap)) or 0,
        )


def _incidents_in(engine: Engine, channel: str) -> int:
    deadline = time.monotonic() + 5
    n = 0
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            n = (
                conn.scalar(select(func.count()).select_from(Incident).where(Incident.channel == channel))
                or 0
            )
        if n:
            time.sleep(0.3)
            with engine.connect() as conn:
                return (
                    conn.scalar(select(func.count()).select_from(Incident).where(Incident.channel == channel))
                    or 0
                )
        time.sleep(0.05)
    return n
