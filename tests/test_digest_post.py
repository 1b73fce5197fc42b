"""The digest is posted once per week and channel, with its chart, even with several processes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.core.digest.clock import DigestClock
from bot.core.digest.config import DigestSettings
from bot.core.digest.models import DigestPost
from bot.core.digest.post import PublishFailed, post_digest
from bot.core.digest.weeks import Week, zone
from bot.slack.digest import SlackDigestPublisher
from knowledge.db import session_factory, transaction
from testing.factories import incident
from testing.slack.server import FakeSlack

TZ = zone("America/New_York")
WEEK = Week.parse("2026-W47", TZ)


def _incidents(engine: Engine) -> None:
    with transaction(engine) as session:
        for i in range(3):
            session.add(incident("AIS.0027", at=WEEK.start + timedelta(days=1, hours=i)))


def test_racing_posters_post_the_week_once_with_its_chart(engine: Engine) -> None:
    _incidents(engine)
    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        results: list[str | None] = []
        threads = [
            threading.Thread(
                target=lambda: results.append(
                    post_digest(engine, SlackDigestPublisher(client, "C0DIGEST1"), WEEK)
                )
            )
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len([r for r in results if r]) == 1
        posts = slack.find("chat.postMessage")
        assert len(posts) == 1 and posts[0].body["channel"] == "C0DIGEST1"
        assert "2026-W47" in posts[0].body["text"]
        assert len(slack.uploads) == 1
        assert next(iter(slack.uploads.values())).startswith(b"\x89PNG")
        (completed,) = slack.find("files.completeUploadExternal")
        assert completed.body["channel_id"] == "C0DIGEST1"
        assert completed.body["thread_ts"] == results[[r is not None for r in results].index(True)]
        assert post_digest(engine, SlackDigestPublisher(client, "C0DIGEST1"), WEEK) is None
    with session_factory(engine)() as session:
        row = session.scalars(select(DigestPost)).one()
    assert (row.status, row.week) == ("posted", "2026-W47") and row.message_ts


def test_a_failed_post_is_kept_and_retried_after_the_stale_window(engine: Engine) -> None:
    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        slack.fail(
            "chat.postMessage", status=200, body={"ok": False, "error": "channel_not_found"}, retry_after=None
        )
        with pytest.raises(PublishFailed, match="channel_not_found"):
            post_digest(engine, SlackDigestPublisher(client, "C0DIGEST1"), WEEK)
        with session_factory(engine)() as session:
            row = session.scalars(select(DigestPost)).one()
            assert (row.status, row.error) == ("failed", "channel_not_found")
        assert post_digest(engine, SlackDigestPublisher(client, "C0DIGEST1"), WEEK) is None, (
            "too soon to retry"
        )
        later = datetime.now(UTC) + timedelta(minutes=16)
        assert post_digest(engine, SlackDigestPublisher(client, "C0DIGEST1"), WEEK, now=later) is not None
        assert len(slack.find("chat.postMessage")) == 2


def test_the_clock_posts_last_week_only_after_the_local_posting_time(engine: Engine) -> None:
    _incidents(engine)
    settings = DigestSettings(digest_channel="C0DIGEST1", digest_schedule="mon 09:00", timezone=TZ.key)
    with FakeSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        clock = DigestClock(engine, SlackDigestPublisher(client, "C0DIGEST1"), settings)
        monday = WEEK.monday + timedelta(days=7)
        assert clock.tick(datetime(monday.year, monday.month, monday.day, 8, 59, tzinfo=TZ)) is None
        assert clock.tick(datetime(monday.year, monday.month, monday.day, 9, 1, tzinfo=TZ)) is not None
        assert clock.tick(datetime(monday.year, monday.month, monday.day, 10, 0, tzinfo=TZ)) is None
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
