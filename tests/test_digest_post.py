"""The digest is posted once per week and channel, with its chart, even with several processes."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.core.digest.clock import DigestClock
from bot.core.digest.config import DigestSettings
from bot.core.digest.models import DigestPost
from bot.core.digest.post import post_digest
from bot.core.digest.weeks import Week, zone
from bot.core.incidents.outbox.calls import Backoff
from bot.core.incidents.outbox.queue import dead_items, requeue_dead
from bot.slack.digest import SlackDigestPublisher
from bot.slack.runtime.sender import ChatSender
from knowledge.db import session_factory, transaction
from testing.factories import incident
from testing.slack.server import FakeSlack

TZ = zone("America/New_York")
WEEK = Week.parse("2026-W47", TZ)


def _incidents(engine: Engine) -> None:
    with transaction(engine) as session:
        for i in range(3):
            session.add(incident("AIS.0027", at=WEEK.start + timedelta(days=1, hours=i)))


def _sender(engine: Engine, slack: FakeSlack) -> ChatSender:
    client = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
    # No backoff: a retried item is due again at once, so one test can watch it delivered.
    return ChatSender(engine, client, backoff=Backoff(base=timedelta(0), cap=timedelta(0)), poll=0.05)


def test_racing_posters_post_the_week_once_with_its_chart(engine: Engine) -> None:
    _incidents(engine)
    with FakeSlack() as slack:
        results: list[str | None] = []
        threads = [
            threading.Thread(
                target=lambda: results.append(
                    post_digest(engine, SlackDigestPublisher(engine, "C0DIGEST1"), WEEK)
                )
            )
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len([r for r in results if r]) == 1
        assert _sender(engine, slack).drain().delivered == 1
        posts = slack.find("chat.postMessage")
        assert len(posts) == 1 and posts[0].body["channel"] == "C0DIGEST1"
        assert "2026-W47" in posts[0].body["text"]
        assert len(slack.uploads) == 1
        assert next(iter(slack.uploads.values())).startswith(b"\x89PNG")
        (completed,) = slack.find("files.completeUploadExternal")
        assert completed.body["channel_id"] == "C0DIGEST1"
        assert completed.body["thread_ts"] == slack.find("chat.postMessage")[0].answer["ts"]
        assert post_digest(engine, SlackDigestPublisher(engine, "C0DIGEST1"), WEEK) is None
    with session_factory(engine)() as session:
        row = session.scalars(select(DigestPost)).one()
    assert (row.status, row.week) == ("posted", "2026-W47") and row.message_ts


def test_a_chart_upload_that_fails_is_retried_alone_and_the_digest_is_posted_once(engine: Engine) -> None:
    _incidents(engine)
    with FakeSlack() as slack:
        slack.fail(
            "files.getUploadURLExternal", status=500, body={"ok": False, "error": "internal_error"}, times=2
        )
        assert post_digest(engine, SlackDigestPublisher(engine, "C0DIGEST1"), WEEK) is not None
        sender = _sender(engine, slack)
        first = sender.drain()
        assert first.retried >= 1
        deadline = time.monotonic() + 10
        while not slack.uploads and time.monotonic() < deadline:
            sender.drain()
        assert len(slack.find("chat.postMessage")) == 1, "the message is never posted twice"
        assert len(slack.uploads) == 1
        (completed,) = slack.find("files.completeUploadExternal")
        assert completed.body["thread_ts"] == slack.find("chat.postMessage")[0].answer["ts"]


def test_a_digest_slack_refuses_for_good_is_a_dead_item_listed_and_requeued(engine: Engine) -> None:
    _incidents(engine)
    with FakeSlack() as slack:
        slack.fail(
            "chat.postMessage", status=200, body={"ok": False, "error": "channel_not_found"}, retry_after=None
        )
        post_digest(engine, SlackDigestPublisher(engine, "C0DIGEST1"), WEEK)
        sender = _sender(engine, slack)
        assert sender.drain().dead == 1
        with session_factory(engine)() as session:
            (dead,) = dead_items(session)
            assert dead.action == "digest" and dead.last_error == "channel_not_found"
            assert requeue_dead(session) == 1
            session.commit()
        assert sender.drain().delivered == 1  # the channel was fixed: requeued, it goes out once
        assert len([c for c in slack.find("chat.postMessage") if c.answer.get("ok")]) == 1


def test_the_clock_posts_last_week_only_after_the_local_posting_time(engine: Engine) -> None:
    _incidents(engine)
    settings = DigestSettings(digest_channel="C0DIGEST1", digest_schedule="mon 09:00", timezone=TZ.key)
    with FakeSlack() as slack:
        clock = DigestClock(engine, SlackDigestPublisher(engine, "C0DIGEST1"), settings)
        monday = WEEK.monday + timedelta(days=7)
        assert clock.tick(datetime(monday.year, monday.month, monday.day, 8, 59, tzinfo=TZ)) is None
        assert clock.tick(datetime(monday.year, monday.month, monday.day, 9, 1, tzinfo=TZ)) is not None
        assert clock.tick(datetime(monday.year, monday.month, monday.day, 10, 0, tzinfo=TZ)) is None
        _sender(engine, slack).drain()
        (post,) = slack.find("chat.postMessage")
        assert "2026-W47" in post.body["text"]


def test_bad_digest_settings_name_the_variable() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="is not a schedule"):
        DigestSettings(digest_schedule="someday")
    with pytest.raises(ValidationError, match="IANA time zone"):
        DigestSettings(timezone="Moon/Base")
    with pytest.raises(ValidationError, match="Slack channel id"):
        DigestSettings(digest_channel="#general")


def test_dry_run_prints_the_week_and_writes_the_chart_to_out_or_a_temporary_directory(
    engine: Engine, db_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from testing.cli import run_cli

    _incidents(engine)
    (tmp_path / "elsewhere").mkdir()
    env = {"HWERROR_TIMEZONE": TZ.key}
    result = run_cli(
        "digest",
        "--dry-run",
        "--week",
        "2026-W47",
        "--out",
        str(tmp_path),
        db_url=db_url,
        extra_env=env,
        cwd=tmp_path / "elsewhere",
    )
    assert result.returncode == 0, result.stderr
    assert "2026-W47" in result.stdout and "AIS.0027" in result.stdout and "3 incidents" in result.stdout
    chart = tmp_path / "hwerror-digest-2026-W47.png"
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert not list((tmp_path / "elsewhere").iterdir())  # nothing in the current folder
    # Without --out: a temporary directory, named in the output; still nothing in the current folder.
    named = run_cli(
        "digest", "--dry-run", "--week", "2026-W47", db_url=db_url, extra_env=env, cwd=tmp_path / "elsewhere"
    )
    written = Path(named.stdout.rsplit("chart written to ", 1)[1].split()[0])
    assert written.read_bytes().startswith(b"\x89PNG") and written.parent != tmp_path / "elsewhere"
    assert not list((tmp_path / "elsewhere").iterdir())
    # Busiest channels in the terminal: no Slack channel markup, no stray ">".
    busiest = result.stdout.split("Busiest channels", 1)[1]
    assert "#C1 ×" in busiest and ">" not in busiest.split("chart written")[0]
    bad = run_cli("digest", "--dry-run", "--week", "last week", db_url=db_url, extra_env=env)
    assert bad.returncode == 2 and "--week" in bad.stderr
    zone_error = run_cli("digest", "--dry-run", db_url=db_url, extra_env={"HWERROR_TIMEZONE": "Mars/Base"})
    assert zone_error.returncode == 2 and "HWERROR_TIMEZONE" in zone_error.stderr
    assert "Traceback" not in zone_error.stderr
    unposted = run_cli("digest", db_url=db_url, extra_env=env)
    assert unposted.returncode == 1 and "HWERROR_DIGEST_CHANNEL is not set" in unposted.stderr
